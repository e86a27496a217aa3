"""Availability on a hand-built month (February 2027: 20 working days of 8 h 30 min = 170 h)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outages.availability import month_availability
from outages.models import OutageKind, OutageScope
from outages.services import outage_record
from sites.models import Asset, AssetType, Site

pytestmark = pytest.mark.django_db
SAST = ZoneInfo("Africa/Johannesburg")


def at(*args):
    return datetime(*args, tzinfo=SAST)


def record(site, kind, start, end, scope=OutageScope.SITE, **more):
    return outage_record(scope=scope, kind=kind, site=site, started_at=start, ended_at=end, **more)


def test_a_hand_built_month(client, manager_user, frozen):
    site = Site.objects.filter(name__icontains="Willowvale").order_by("pk").first()
    record(site, OutageKind.UNPLANNED, at(2027, 2, 2, 10), at(2027, 2, 2, 12))  # 2 h
    record(site, OutageKind.LOAD_SHEDDING, at(2027, 2, 3, 15), at(2027, 2, 3, 18), scope=OutageScope.POWER)
    record(site, OutageKind.UNPLANNED, at(2027, 2, 3, 16), at(2027, 2, 3, 17))  # inside the load-shedding
    record(site, OutageKind.PLANNED, at(2027, 2, 4, 9), at(2027, 2, 4, 11))  # agreed downtime

    rows = {row.id: row for row in month_availability(2027, 2, now=at(2027, 3, 5))["sites"]}
    figures = rows[site.pk]
    assert figures.agreed == timedelta(hours=170)
    assert figures.down == timedelta(hours=3, minutes=30)  # 2 h + 1 h 30 min of business time, once
    assert figures.percent == 97.94
    assert figures.failures == 2
    assert figures.mtbf == timedelta(hours=83, minutes=15)
    assert figures.mttr == timedelta(hours=1, minutes=30)
    assert figures.load_shedding == timedelta(hours=3)
    dutywa = rows[Site.objects.get(name="Dutywa Main Building").pk]
    assert dutywa.percent == 100.0 and dutywa.failures == 0 and dutywa.mtbf is None

    frozen(2027, 3, 5, 9, 0)
    client.force_login(manager_user)
    answer = client.get("/api/availability/?month=2027-02").json()
    row = next(r for r in answer["sites"] if r["id"] == site.pk)
    assert row["availability_percent"] == 97.94 and row["down_hours"] == 3.5 and row["failures"] == 2
    assert client.get("/api/availability/?month=2027-13").status_code == 400


def test_a_link_counts_every_hour(client):
    dutywa = Site.objects.get(name="Dutywa Main Building")
    far = Site.objects.filter(name__icontains="Willowvale").order_by("pk").first()
    link = Asset.objects.create(
        asset_tag="MLM-LNK-9001",
        type=AssetType.NETWORK_LINK,
        site=dutywa,
        far_site=far,
        connection_type="mpls",
    )
    outage_record(
        scope=OutageScope.LINK,
        kind=OutageKind.UNPLANNED,
        site=far,
        asset=link,
        started_at=at(2027, 2, 6, 22),
        ended_at=at(2027, 2, 7, 4),  # a Saturday night: 6 h
    )
    rows = {row.id: row for row in month_availability(2027, 2, now=at(2027, 3, 5))["links"]}
    assert rows[link.pk].agreed == timedelta(days=28)
    assert rows[link.pk].down == timedelta(hours=6)
