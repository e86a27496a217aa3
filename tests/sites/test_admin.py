"""The asset register in Django admin: open to the Admin role only, with history and CSV in and out."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sites import services
from sites.models import Asset, Site
from tests.factories import AssetFactory, BuildingFactory, UserFactory

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def admin_pages(asset):
    return [
        reverse("admin:sites_asset_changelist"),
        reverse("admin:sites_asset_add"),
        reverse("admin:sites_asset_change", args=[asset.pk]),
        reverse("admin:sites_asset_history", args=[asset.pk]),
        reverse("admin:sites_asset_import_csv"),
        reverse("admin:sites_asset_export_csv"),
    ]


def csv_file(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(services.ASSET_REGISTER_COLUMNS)
    writer.writerows(rows)
    return SimpleUploadedFile("assets.csv", out.getvalue().encode(), content_type="text/csv")


def test_admin_role_opens_every_asset_admin_page(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    asset = AssetFactory(assigned_to=UserFactory(), building=None)

    for url in admin_pages(asset):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role_user", ["staff_user", "technician_user", "manager_user"])
def test_other_roles_are_sent_to_the_admin_sign_in(request, signed_in, role_user):
    client = signed_in(request.getfixturevalue(role_user))
    asset = AssetFactory()

    for url in admin_pages(asset):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


def test_import_view_refuses_a_staff_member_without_the_permission(signed_in):
    # is_staff lets a person into the admin, but only the Admin role may change the register.
    clerk = UserFactory(is_staff=True)

    response = signed_in(clerk).post(reverse("admin:sites_asset_import_csv"), {"file": csv_file([])})

    assert response.status_code == 403
    assert not Asset.objects.exists()


def test_import_through_the_admin(signed_in, admin_role_user):
    rows = [
        [
            "MLM-PRN-0001",
            "Printer",
            "Kyocera",
            "ECOSYS",
            "VCF1",
            "Willowvale",
            "Building 1",
            "Ground floor, reception",
            "In use",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
    ]

    response = signed_in(admin_role_user).post(
        reverse("admin:sites_asset_import_csv"), {"file": csv_file(rows)}
    )

    assert response.status_code == 302
    asset = Asset.objects.get(asset_tag="MLM-PRN-0001")
    assert (asset.site.name, asset.location) == ("Willowvale", "Ground floor, reception")
    assert asset.history.get().history_user == admin_role_user


def test_a_refused_import_shows_each_bad_line(signed_in, admin_role_user):
    rows = [
        ["MLM-PRN-0001", "printer", "", "", "", "Willowvale", "", "", "in_use", "", "", "", "", "", ""],
        ["MLM-PRN-0002", "printer", "", "", "", "Mthatha", "", "", "in_use", "", "", "", "", "", ""],
    ]

    response = signed_in(admin_role_user).post(
        reverse("admin:sites_asset_import_csv"), {"file": csv_file(rows)}
    )

    assert response.status_code == 400
    assert "line 3: unknown site &#x27;Mthatha&#x27;" in response.content.decode()
    assert not Asset.objects.exists()


def test_export_through_the_admin_reimports(signed_in, admin_role_user):
    AssetFactory(asset_tag="MLM-DSK-0001", site=Site.objects.get(name="Elliotdale"))

    response = signed_in(admin_role_user).get(reverse("admin:sites_asset_export_csv"))

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["asset_tag"], r["site"]) for r in rows] == [("MLM-DSK-0001", "Elliotdale")]


def test_admin_form_refuses_a_building_at_another_site(signed_in, admin_role_user):
    willowvale = Site.objects.get(name="Willowvale")
    elsewhere = BuildingFactory()

    response = signed_in(admin_role_user).post(
        reverse("admin:sites_asset_add"),
        {
            "asset_tag": "MLM-DSK-0001",
            "type": "desktop",
            "site": willowvale.pk,
            "building": elsewhere.pk,
            "status": "in_use",
        },
    )

    assert response.status_code == 200
    assert "This building is not at the asset&#x27;s site." in response.content.decode()
    assert not Asset.objects.exists()


def test_changelist_escapes_user_text_and_keeps_a_fixed_query_count(
    signed_in, admin_role_user, django_assert_max_num_queries
):
    site = Site.objects.get(name="Willowvale")
    AssetFactory.create_batch(
        40, site=site, building=site.building_set.first(), assigned_to=UserFactory(), make=XSS
    )
    client = signed_in(admin_role_user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:sites_asset_changelist"))

    assert XSS not in response.content.decode()


def test_site_admin_links_to_its_assets(signed_in, admin_role_user):
    site = Site.objects.get(name="Willowvale")

    content = (
        signed_in(admin_role_user).get(reverse("admin:sites_site_change", args=[site.pk])).content.decode()
    )

    assert f"{reverse('admin:sites_asset_changelist')}?site__id__exact={site.pk}" in content
