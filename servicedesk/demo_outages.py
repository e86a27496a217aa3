"""The demo's outages: a load-shedding schedule for Mbashe's three towns with the stages of the last months,
and two link failures, recorded through outages' services before the tickets are lived, so the tickets
logged at a site while it was down have their clocks paused as they would have."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from outages.load_shedding import schedule_import, stage_announce, windows_record_past
from outages.models import LoadSheddingStage, Outage, OutageCause, OutageKind, OutageScope
from outages.services import outage_record
from sites.models import Asset, AssetType, Site
from slas.models import Supplier

# Areas of the schedule: each town's sites (the names of Table 1).
AREAS = {
    "Dutywa town": (
        "Dutywa Main Building",
        "New Community Services (Tesko)",
        "Dutywa Town Hall (Community Services)",
        "Customer Care",
        "Dutywa TRC",
        "Dutywa Workshop",
        "Dutywa Pound",
    ),
    "Willowvale": ("Willowvale",),
    "Elliotdale": ("Elliotdale",),
}
# Two-and-a-half-hour blocks starting on even hours, shifted per area and day like Eskom's tables.
SLOTS = [time(hour, 0) for hour in range(0, 24, 2)]


def schedule_csv() -> bytes:
    rows = ["area,sites,stage,day,start,end"]
    for offset, (area, sites) in enumerate(AREAS.items()):
        first = True
        for day in range(1, 32):
            for stage in range(1, 5):
                slot = SLOTS[(day * 5 + stage * 3 + offset * 4) % len(SLOTS)]
                end = (datetime.combine(date(2026, 1, 1), slot) + timedelta(hours=2, minutes=30)).time()
                names = ";".join(sites) if first else ""
                rows.append(f"{area},{names},{stage},{day},{slot:%H:%M},{end:%H:%M}")
                first = False
    return ("\n".join(rows) + "\n").encode()


def _stage_on(start: date):
    """The stages the demo months lived: quiet weeks, a week of stage 2, a few days of stage 4."""

    def stage_on(day: date) -> int:
        week = (day - start).days // 7
        return (0, 2, 2, 0, 1, 0, 4, 2, 0, 0, 1, 2, 0, 2, 0, 0, 2, 2)[week % 18]

    return stage_on


def demo_outages_load(*, start: datetime, now: datetime, seed: int) -> int:
    """Record the demo's outages from `start` to `now` (nothing when any outage exists). Returns how many."""
    if Outage.objects.exists() or Site.objects.count() < 9:
        return 0
    result = schedule_import(schedule_csv())
    if result.errors:
        raise ValueError(f"the demo's load-shedding schedule is refused: {result.errors[:3]}")
    first, today = timezone.localdate(start), timezone.localdate(now)
    stage_on = _stage_on(first)
    for day in (first + timedelta(days=n) for n in range((today - first).days + 1)):
        if day == first or stage_on(day) != stage_on(day - timedelta(days=1)):
            LoadSheddingStage.objects.create(
                stage=stage_on(day),
                effective_from=datetime.combine(day, time(0), timezone.get_current_timezone()),
            )
    windows_record_past(first, today - timedelta(days=1), stage_on)
    stage_announce(stage_on(today), effective_from=now)  # today and the coming week, from the schedule

    rng = random.Random(f"{seed} demo outages")  # noqa: S311 (demo data, not secrets)
    supplier = Supplier.objects.filter(name="MPLS network provider").first()
    links = {
        link.site.name: link
        for link in Asset.objects.filter(
            type=AssetType.NETWORK_LINK, connection_type__in=("mpls", "wireless")
        )
        .select_related("site")
        .order_by("asset_tag")
    }
    zone = timezone.get_current_timezone()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    failures = [
        # Willowvale's MPLS link, down on a weekday morning of last month: the provider's fault.
        (
            "Willowvale",
            datetime.combine(last_month + timedelta(days=9 + rng.randint(0, 4)), time(9, 10), zone),
            timedelta(hours=2, minutes=30),
            OutageCause.SUPPLIER_FAULT,
            "MPLS provider: fibre cut between Idutywa and Willowvale exchanges; repaired by the provider.",
        ),
        # Elliotdale's wireless link: the mast's radio stolen over a weekend this month.
        (
            "Elliotdale",
            datetime.combine(today.replace(day=1) + timedelta(days=rng.randint(1, 3)), time(7, 40), zone),
            timedelta(hours=27),
            OutageCause.THEFT_VANDALISM,
            "Radio on the Elliotdale mast stolen; replaced from stock and re-aligned the next morning.",
        ),
    ]
    made = 0
    for site_name, started, length, cause, detail in failures:
        link = links.get(site_name)
        if link is None or started + length > now:
            continue
        outage_record(
            scope=OutageScope.LINK,
            kind=OutageKind.UNPLANNED,
            cause=cause,
            asset=link,
            site=link.site,
            supplier=supplier if cause == OutageCause.SUPPLIER_FAULT else None,
            started_at=started,
            ended_at=started + length,
            expected_end_at=started + timedelta(hours=4),
            detail=detail,
        )
        made += 1
    return Outage.objects.count()
