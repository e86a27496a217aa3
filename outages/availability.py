"""Availability per site, network link and service for a month: the share of the agreed hours each was up,
how often it failed (MTBF), how long it took to restore (MTTR), and the hours of load-shedding.

The rules (docs/outages.md, and the report's definitions):
- agreed hours: a site's and a service's are the service desk's business hours (its calendar, public
  holidays closed); a link's are every hour of the month (24x7);
- down time: the union of the outages of the site (its power, a link cutting it off, the site itself), of
  the link, or of the service within the agreed hours, so overlapping outages count once; planned outages
  (maintenance, a change) are agreed downtime and do not count against availability, load-shedding and
  unplanned ones do;
- failures: unplanned outages that started in the month; MTBF = up time / failures; MTTR = mean wall-clock
  length of the failures that ended (restore time as the people at the site lived it).
"""

from __future__ import annotations

import calendar as calendar_module
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from slas.business_time import ZERO, CalendarSpec, business_between, merge_windows
from slas.calendars import desk_calendar_spec

from .models import SITE_SCOPES, Outage, OutageKind, OutageScope
from .windows import outage_window_end

ALWAYS = CalendarSpec(always_open=True)


@dataclass(frozen=True)
class Availability:
    kind: str  # "site", "link" or "service"
    id: int
    name: str
    town: str
    agreed: timedelta
    down: timedelta
    failures: int
    mtbf: timedelta | None
    mttr: timedelta | None
    load_shedding: timedelta

    @property
    def percent(self) -> float | None:
        if not self.agreed:
            return None
        return round(100 * (self.agreed - self.down) / self.agreed, 2)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "town": self.town,
            "availability_percent": self.percent,
            "agreed_hours": round(self.agreed / timedelta(hours=1), 2),
            "down_hours": round(self.down / timedelta(hours=1), 2),
            "failures": self.failures,
            "mtbf_hours": None if self.mtbf is None else round(self.mtbf / timedelta(hours=1), 2),
            "mttr_hours": None if self.mttr is None else round(self.mttr / timedelta(hours=1), 2),
            "load_shedding_hours": round(self.load_shedding / timedelta(hours=1), 2),
        }


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=zone)
    last = calendar_module.monthrange(year, month)[1]
    return start, start + timedelta(days=last)


def _down(
    spec: CalendarSpec, windows: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> timedelta:
    """Agreed time inside the union of the windows."""
    return sum(
        (
            business_between(spec, max(a, start), min(b, end))
            for a, b in merge_windows(windows)
            if b > start and a < end
        ),
        ZERO,
    )


def _wall(windows: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> timedelta:
    return sum(
        (min(b, end) - max(a, start) for a, b in merge_windows(windows) if b > start and a < end), ZERO
    )


def _figures(kind, subject_id, name, town, spec, outages, start, end, now) -> Availability:
    counted = [o for o in outages if o.kind != OutageKind.PLANNED]
    windows = [
        (o.started_at, outage_window_end(o, now) if o.ended_at is None else o.ended_at) for o in counted
    ]
    windows = [(a, min(b, now)) for a, b in windows]
    agreed = business_between(spec, start, min(end, now))  # a month so far: its hours until now
    down = _down(spec, windows, start, end)
    failures = [o for o in counted if o.kind == OutageKind.UNPLANNED and start <= o.started_at < end]
    restored = [o.ended_at - o.started_at for o in failures if o.ended_at is not None]
    shedding = [(o.started_at, o.ended_at or now) for o in outages if o.kind == OutageKind.LOAD_SHEDDING]
    return Availability(
        kind=kind,
        id=subject_id,
        name=name,
        town=town,
        agreed=agreed,
        down=min(down, agreed),
        failures=len(failures),
        mtbf=(agreed - down) / len(failures) if failures else None,
        mttr=sum(restored, ZERO) / len(restored) if restored else None,
        load_shedding=_wall([(a, min(b, now)) for a, b in shedding], start, end),
    )


def month_availability(year: int, month: int, *, now: datetime | None = None) -> dict[str, list[Any]]:
    """Every site, every network link and every service with an outage, for the month (so far)."""
    from catalogue.models import Service
    from sites.models import Asset, AssetType, Site

    start, end = month_bounds(year, month)
    now = now or timezone.now()
    spec = desk_calendar_spec() or ALWAYS
    outages = list(
        Outage.objects.filter(started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .only(
            "scope", "kind", "site_id", "asset_id", "service_id", "started_at", "ended_at", "expected_end_at"
        )
    )
    by_site, by_link, by_service = defaultdict(list), defaultdict(list), defaultdict(list)
    for outage in outages:
        if outage.scope in SITE_SCOPES and outage.site_id:
            by_site[outage.site_id].append(outage)
        if outage.scope == OutageScope.LINK and outage.asset_id:
            by_link[outage.asset_id].append(outage)
        if outage.scope == OutageScope.SERVICE and outage.service_id:
            by_service[outage.service_id].append(outage)
    sites = [
        _figures("site", s.pk, s.name, s.town, spec, by_site[s.pk], start, end, now)
        for s in Site.objects.order_by("table_order", "name").only("pk", "name", "town")
    ]
    links = [
        _figures(
            "link",
            a.pk,
            f"{a.asset_tag} {a.link_description}",
            a.site.town,
            ALWAYS,
            by_link[a.pk],
            start,
            end,
            now,
        )
        for a in Asset.objects.filter(type=AssetType.NETWORK_LINK)
        .select_related("site", "far_site")
        .order_by("asset_tag")
    ]
    services = [
        _figures("service", s.pk, s.name, "", spec, by_service[s.pk], start, end, now)
        for s in Service.objects.filter(pk__in=list(by_service)).order_by("name").only("pk", "name")
    ]
    return {"sites": sites, "links": links, "services": services, "outages": outages}
