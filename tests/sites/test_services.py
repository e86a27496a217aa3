"""sites.services: creating, changing and deleting assets keeps the register's rules and its history."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from sites import services
from sites.models import Asset, AssetStatus, AssetType, ConnectionType
from tests.factories import AssetFactory, BuildingFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_saves_a_valid_asset_and_records_who(admin_role_user):
    site = SiteFactory()
    building = BuildingFactory(site=site)

    asset = services.asset_create(
        asset_tag="MLM-PRN-0100",
        type=AssetType.PRINTER,
        site=site,
        building=building,
        make="Kyocera",
        model="ECOSYS M3145dn",
        purchase_date=datetime.date(2024, 1, 10),
        warranty_expires=datetime.date(2027, 1, 10),
        user=admin_role_user,
    )

    stored = Asset.objects.get(asset_tag="MLM-PRN-0100")
    assert stored.pk == asset.pk
    assert stored.building == building
    assert stored.status == AssetStatus.IN_USE
    assert stored.history.get().history_user == admin_role_user


def test_create_refuses_a_building_at_another_site():
    site = SiteFactory()
    elsewhere = BuildingFactory(site=SiteFactory())

    with pytest.raises(ValidationError) as caught:
        services.asset_create(asset_tag="MLM-DSK-0001", type=AssetType.DESKTOP, site=site, building=elsewhere)

    assert "building" in caught.value.message_dict
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"asset_tag": "mlm-dsk-1"},
        {"asset_tag": "<script>"},
        {"type": AssetType.NETWORK_LINK},  # a link without a connection type
        {"connection_type": ConnectionType.MPLS},  # a desktop with one
        {"purchase_date": datetime.date(2024, 2, 1), "warranty_expires": datetime.date(2023, 2, 1)},
        {"type": "toaster"},
    ],
)
def test_create_refuses_a_broken_rule_and_saves_nothing(values):
    arguments = {"asset_tag": "MLM-DSK-0001", "type": AssetType.DESKTOP, "site": SiteFactory(), **values}

    with pytest.raises(ValidationError):
        services.asset_create(**arguments)

    assert not Asset.objects.exists()


def test_create_a_link_between_two_sites():
    near, far = SiteFactory(), SiteFactory()

    asset = services.asset_create(
        asset_tag="MLM-LNK-0001",
        type=AssetType.NETWORK_LINK,
        site=near,
        far_site=far,
        connection_type=ConnectionType.WIRELESS,
    )

    assert asset.link_description == f"{near.name} -> {far.name}, wireless"


def test_update_changes_only_what_is_given():
    asset = AssetFactory(make="HP", status=AssetStatus.IN_USE)
    person = UserFactory()

    services.asset_update(asset=asset, data={"status": AssetStatus.IN_REPAIR, "assigned_to": person})

    asset.refresh_from_db()
    assert (asset.status, asset.assigned_to, asset.make) == (AssetStatus.IN_REPAIR, person, "HP")
    assert asset.history.count() == 2


def test_update_with_nothing_new_writes_no_history():
    asset = AssetFactory(make="HP")

    services.asset_update(asset=asset, data={"make": "HP"})

    assert asset.history.count() == 1


def test_update_refuses_moving_the_site_away_from_the_building():
    site = SiteFactory()
    asset = AssetFactory(site=site, building=BuildingFactory(site=site))

    with pytest.raises(ValidationError) as caught:
        services.asset_update(asset=asset, data={"site": SiteFactory()})

    assert "building" in caught.value.message_dict
    asset.refresh_from_db()
    assert asset.site == site


def test_update_refuses_an_unknown_field():
    asset = AssetFactory()

    with pytest.raises(ValidationError, match="Cannot change id"):
        services.asset_update(asset=asset, data={"id": 99})


def test_delete_removes_the_asset_and_keeps_its_history(admin_role_user):
    asset = AssetFactory(asset_tag="MLM-TEL-0009")

    services.asset_delete(asset=asset, user=admin_role_user)

    assert not Asset.objects.filter(asset_tag="MLM-TEL-0009").exists()
    deleted = Asset.history.filter(asset_tag="MLM-TEL-0009").first()
    assert (deleted.history_type, deleted.history_user) == ("-", admin_role_user)
