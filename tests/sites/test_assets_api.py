"""/api/assets/: every signed-in user reads the register; only an Admin writes, through the services."""

import pytest
from rest_framework.test import APIClient

from sites.models import Asset, AssetStatus, AssetType, Site
from tests.factories import AssetFactory, BuildingFactory

pytestmark = pytest.mark.django_db
URL = "/api/assets/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def willowvale():
    return Site.objects.get(name="Willowvale")


def new_asset(site, **values):
    return {"asset_tag": "MLM-PRN-0100", "type": "printer", "site": site.pk, "make": "Kyocera", **values}


@pytest.mark.parametrize("role_user", ["staff_user", "technician_user", "manager_user", "admin_role_user"])
def test_every_role_reads_the_register(request, api, role_user, willowvale):
    AssetFactory(asset_tag="MLM-PRN-0001", site=willowvale, building=willowvale.building_set.first())
    api.force_authenticate(request.getfixturevalue(role_user))

    body = api.get(URL).json()

    assert body["count"] == 1
    asset = body["results"][0]
    assert (asset["asset_tag"], asset["site_name"], asset["building_name"]) == (
        "MLM-PRN-0001",
        "Willowvale",
        "Building 1",
    )


def test_anonymous_is_refused(api):
    assert api.get(URL).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"town": "Elliotdale"}, ["MLM-TEL-0001"]),
        ({"type": "printer"}, ["MLM-PRN-0001"]),
        ({"status": "retired"}, ["MLM-DSK-0001"]),
        ({"q": "yealink"}, ["MLM-TEL-0001"]),
        ({"search": "CND"}, ["MLM-DSK-0001"]),
        ({"ordering": "-asset_tag"}, ["MLM-TEL-0001", "MLM-PRN-0001", "MLM-DSK-0001"]),
    ],
)
def test_filters_search_and_ordering(api, staff_user, willowvale, params, expected):
    AssetFactory(
        asset_tag="MLM-PRN-0001", type=AssetType.PRINTER, site=willowvale, serial="VCF1", make="Kyocera"
    )
    AssetFactory(asset_tag="MLM-DSK-0001", status=AssetStatus.RETIRED, site=willowvale, serial="CND1")
    AssetFactory(
        asset_tag="MLM-TEL-0001",
        type=AssetType.TELEPHONE,
        make="Yealink",
        serial="YL1",
        site=Site.objects.get(name="Elliotdale"),
    )
    api.force_authenticate(staff_user)

    body = api.get(URL, params).json()

    assert [a["asset_tag"] for a in body["results"]] == expected


def test_ordering_is_an_allow_list(api, staff_user):
    AssetFactory(asset_tag="MLM-A-1", notes="b")
    AssetFactory(asset_tag="MLM-B-1", notes="a")
    api.force_authenticate(staff_user)

    body = api.get(URL, {"ordering": "notes"}).json()

    assert [a["asset_tag"] for a in body["results"]] == ["MLM-A-1", "MLM-B-1"]


@pytest.mark.parametrize("role_user", ["staff_user", "technician_user", "manager_user"])
def test_only_admins_write(request, api, role_user, willowvale):
    asset = AssetFactory(site=willowvale)
    api.force_authenticate(request.getfixturevalue(role_user))

    assert api.post(URL, new_asset(willowvale), format="json").status_code == 403
    assert api.patch(f"{URL}{asset.pk}/", {"make": "Dell"}, format="json").status_code == 403
    assert api.delete(f"{URL}{asset.pk}/").status_code == 403
    assert Asset.objects.count() == 1
    asset.refresh_from_db()
    assert asset.make == "HP"


def test_admin_creates_through_the_service_and_the_history_names_them(api, admin_role_user, willowvale):
    api.force_authenticate(admin_role_user)

    response = api.post(
        URL, new_asset(willowvale, building=willowvale.building_set.first().pk), format="json"
    )

    assert response.status_code == 201, response.json()
    asset = Asset.objects.get(asset_tag="MLM-PRN-0100")
    assert response.json()["id"] == asset.pk
    assert asset.history.get().history_user == admin_role_user


def test_a_building_at_another_site_is_a_400_naming_the_field(api, admin_role_user, willowvale):
    api.force_authenticate(admin_role_user)
    elsewhere = BuildingFactory()

    response = api.post(URL, new_asset(willowvale, building=elsewhere.pk), format="json")

    assert response.status_code == 400
    assert "building" in response.json()
    assert not Asset.objects.exists()


def test_a_link_without_a_connection_type_is_a_400(api, admin_role_user, willowvale):
    api.force_authenticate(admin_role_user)

    response = api.post(URL, new_asset(willowvale, type="network_link"), format="json")

    assert response.status_code == 400
    assert "connection_type" in response.json()


def test_a_tag_with_markup_is_a_400(api, admin_role_user, willowvale):
    api.force_authenticate(admin_role_user)

    response = api.post(URL, new_asset(willowvale, asset_tag="<b>X</b>"), format="json")

    assert response.status_code == 400
    assert "asset_tag" in response.json()


def test_admin_updates_and_deletes(api, admin_role_user, willowvale):
    asset = AssetFactory(site=willowvale)
    api.force_authenticate(admin_role_user)

    patched = api.patch(f"{URL}{asset.pk}/", {"status": "in_repair"}, format="json")
    deleted = api.delete(f"{URL}{asset.pk}/")

    assert patched.status_code == 200
    assert patched.json()["status"] == "in_repair"
    assert deleted.status_code == 204
    assert not Asset.objects.exists()
    assert [h.history_type for h in Asset.history.filter(id=asset.pk)] == ["-", "~", "+"]


def test_list_query_count_is_fixed(api, staff_user, willowvale, django_assert_num_queries):
    building = willowvale.building_set.first()
    AssetFactory.create_batch(3, site=willowvale, building=building)
    # count, rows with their sites, buildings, people; the caller's role groups, once a request (whether
    # they may see sign-in names: sites/api.py). A fresh user object each time, as each request has.
    api.force_authenticate(type(staff_user).objects.get(pk=staff_user.pk))
    with django_assert_num_queries(3):
        api.get(URL)
    AssetFactory.create_batch(30, site=willowvale, building=building)
    api.force_authenticate(type(staff_user).objects.get(pk=staff_user.pk))
    with django_assert_num_queries(3):
        api.get(URL)


def test_the_schema_lists_the_assets_endpoint(client, staff_user):
    client.force_login(staff_user)

    assert b"/api/assets/" in client.get("/api/schema/").content
