"""Asset: the rules a configuration item keeps, in model validation and in the database itself."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sites.models import Asset, AssetType, ConnectionType, Site
from tests.factories import AssetFactory, BuildingFactory, SiteFactory

pytestmark = pytest.mark.django_db


def link(**kwargs):
    values = {"type": AssetType.NETWORK_LINK, "connection_type": ConnectionType.MPLS, **kwargs}
    return AssetFactory.build(**values)


def test_building_must_be_at_the_assets_site():
    here, elsewhere = SiteFactory(), SiteFactory()
    asset = AssetFactory.build(site=here, building=BuildingFactory(site=elsewhere))

    with pytest.raises(ValidationError) as caught:
        asset.full_clean()

    assert "not at the asset's site" in caught.value.message_dict["building"][0]


def test_a_building_at_the_same_site_is_fine():
    site = SiteFactory()
    asset = AssetFactory.build(site=site, building=BuildingFactory(site=site))

    asset.full_clean()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"type": AssetType.NETWORK_LINK, "connection_type": ""}, "connection_type"),
        ({"type": AssetType.PRINTER, "connection_type": ConnectionType.FIBRE}, "connection_type"),
    ],
)
def test_links_and_only_links_have_a_connection_type(values, field):
    asset = AssetFactory.build(site=SiteFactory(), **values)

    with pytest.raises(ValidationError) as caught:
        asset.full_clean()
    assert field in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        asset.save()


def test_only_a_link_has_a_far_site():
    asset = AssetFactory.build(site=SiteFactory(), far_site=SiteFactory())

    with pytest.raises(ValidationError) as caught:
        asset.full_clean()
    assert "far_site" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        asset.save()


def test_a_link_joins_two_different_sites():
    site = SiteFactory()
    asset = link(site=site, far_site=site)

    with pytest.raises(ValidationError):
        asset.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        asset.save()


def test_warranty_cannot_end_before_purchase():
    import datetime

    asset = AssetFactory.build(
        site=SiteFactory(),
        purchase_date=datetime.date(2024, 5, 1),
        warranty_expires=datetime.date(2024, 4, 30),
    )

    with pytest.raises(ValidationError) as caught:
        asset.full_clean()
    assert "warranty_expires" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        asset.save()


@pytest.mark.parametrize(
    "tag", ["mlm-prn-0001", "MLM PRN 1", "<b>X</b>", "MLM--PRN", "-MLM", "MLM-", "MLM/PRN", "MLM-PRN\n"]
)
def test_asset_tag_is_capitals_digits_and_single_dashes(tag):
    asset = AssetFactory.build(site=SiteFactory(), asset_tag=tag)

    with pytest.raises(ValidationError) as caught:
        asset.full_clean()

    assert "asset_tag" in caught.value.message_dict


def test_asset_tag_is_unique():
    AssetFactory(asset_tag="MLM-PRN-0001")

    with pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.create(asset_tag="MLM-PRN-0001", type=AssetType.PRINTER, site=SiteFactory())


def test_a_link_describes_its_two_ends():
    trc = Site.objects.get(name="Dutywa TRC")
    hub = Site.objects.get(name="Dutywa Main Building")

    asset = link(site=trc, far_site=hub, connection_type=ConnectionType.WIRELESS)

    assert asset.link_description == "Dutywa TRC -> Dutywa Main Building, wireless"
    assert AssetFactory.build(site=trc).link_description == ""


def test_history_records_each_change():
    asset = AssetFactory()
    asset.status = "in_repair"
    asset.save()

    assert [h.history_type for h in asset.history.all()] == ["~", "+"]
    assert asset.history.first().status == "in_repair"


def test_where_says_the_device_and_where_it_stands_without_repeating_the_site():
    dutywa = Site.objects.get(name="Dutywa Main Building")
    printer = AssetFactory(
        make="HP",
        model="LaserJet M404",
        site=dutywa,
        building=dutywa.building_set.get(name="Main building"),
        location="2nd floor",
    )
    phone = AssetFactory(
        type=AssetType.TELEPHONE,
        make="",
        model="",
        site=dutywa,
        building=dutywa.building_set.get(name="Park home 1"),
    )

    assert printer.where == "HP LaserJet M404, Dutywa Main Building, 2nd floor"
    assert phone.where == "Telephone, Dutywa Main Building, Park home 1"
