"""The demo asset register agrees with Table 1, site by site, and loading it twice changes nothing."""

import pytest

from sites.demo import demo_assets_load
from sites.models import Asset, AssetType, ConnectionType, Site

pytestmark = pytest.mark.django_db
HUB = "Dutywa Main Building"


def counts(site, *types):
    return Asset.objects.filter(site=site, type__in=types).count()


def test_each_site_has_the_equipment_table1_counts():
    demo_assets_load()

    for site in Site.objects.all():
        assert counts(site, AssetType.PRINTER) == site.network_printers, site.name
        assert counts(site, AssetType.TELEPHONE) == site.telephones, site.name
        assert counts(site, AssetType.DESKTOP, AssetType.LAPTOP) == site.computer_users, site.name
        assert counts(site, AssetType.SWITCH) == site.buildings_connected, site.name
    totals = {t: Asset.objects.filter(type=t).count() for t in (AssetType.PRINTER, AssetType.TELEPHONE)}
    assert totals == {AssetType.PRINTER: 27, AssetType.TELEPHONE: 130}
    assert Asset.objects.filter(type__in=[AssetType.DESKTOP, AssetType.LAPTOP]).count() == 157
    assert Asset.objects.filter(type=AssetType.LAPTOP).exists()


def test_links_follow_table1():
    demo_assets_load()

    links = {
        (a.site.name, a.connection_type, a.far_site.name if a.far_site else None)
        for a in Asset.objects.filter(type=AssetType.NETWORK_LINK).select_related("site", "far_site")
    }
    mpls, fibre, wireless = ConnectionType.MPLS, ConnectionType.FIBRE, ConnectionType.WIRELESS
    assert links == {
        ("New Community Services (Tesko)", mpls, HUB),
        ("Customer Care", mpls, HUB),
        ("Dutywa Workshop", mpls, HUB),
        ("Dutywa Workshop", fibre, None),
        ("Willowvale", mpls, HUB),
        ("Willowvale", fibre, None),
        ("Elliotdale", mpls, HUB),
        ("Elliotdale", wireless, None),
        ("Dutywa Town Hall (Community Services)", wireless, "Customer Care"),
        ("Dutywa TRC", wireless, HUB),
        (HUB, wireless, None),  # to each of the three park homes
    }
    park_homes = Asset.objects.filter(type=AssetType.NETWORK_LINK, site__name=HUB).values_list(
        "building__name", flat=True
    )
    assert sorted(park_homes) == ["Park home 1", "Park home 2", "Park home 3"]
    assert not Asset.objects.filter(site__name="Dutywa Pound").exists()
    trc = Asset.objects.get(type=AssetType.NETWORK_LINK, site__name="Dutywa TRC")
    assert trc.link_description == "Dutywa TRC -> Dutywa Main Building, wireless"


def test_every_demo_asset_keeps_the_register_rules():
    demo_assets_load()

    for asset in Asset.objects.select_related("building", "site"):
        asset.full_clean()


def test_loading_twice_changes_nothing(django_assert_max_num_queries):
    with django_assert_max_num_queries(40):  # bulk inserts in batches, never one per asset
        created = demo_assets_load()
    fields = [f.attname for f in Asset._meta.concrete_fields]
    before = list(Asset.objects.order_by("pk").values(*fields))
    history = Asset.history.count()

    assert demo_assets_load() == 0

    assert created == len(before) == history
    assert list(Asset.objects.order_by("pk").values(*fields)) == before
    assert Asset.history.count() == history


def test_an_asset_someone_changed_is_left_as_they_left_it():
    demo_assets_load()
    Asset.objects.filter(asset_tag="MLM-PRN-0001").update(make="Canon")
    Asset.objects.filter(asset_tag="MLM-PRN-0002").delete()

    assert demo_assets_load() == 1

    assert Asset.objects.get(asset_tag="MLM-PRN-0001").make == "Canon"
    assert Asset.objects.filter(asset_tag="MLM-PRN-0002").exists()


def test_the_demo_register_is_the_same_on_every_machine():
    from sites.demo import demo_assets

    def snapshot():
        return [
            (a.asset_tag, a.type, a.make, a.model, a.serial, a.site_id, a.building_id) for a in demo_assets()
        ]

    assert snapshot() == snapshot()
    assert len({tag for tag, *_ in snapshot()}) == len(snapshot())
