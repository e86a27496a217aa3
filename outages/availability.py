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


@dataclass(frozen=True)
class SupplierRestores:
    """Per supplier for a month: its unplanned outages (started in the month) and how many were restored
    within its underpinning contract's restore time."""

    supplier_id: int
    supplier: str
    contract: str
    outages: int
    restored: int
    met: int
    missed: int
    still_open: int
    no_target: int

    def as_dict(self) -> dict:
        judged = self.met + self.missed
        return {
            "supplier": self.supplier,
            "contract": self.contract,
            "outages": self.outages,
            "restored": self.restored,
            "restore_met": self.met,
            "restore_missed": self.missed,
            "still_open": self.still_open,
            "no_target": self.no_target,
            "restore_met_percent": round(100 * self.met / judged, 2) if judged else None,
        }


def restore_target_minutes(outage: Outage, targets: dict[tuple[int, int], int]) -> int | None:
    """The contract's restore time for an outage: its resolution target for the major incident's priority,
    or for P1 when the outage has none (a site or link down is the desk's highest priority)."""
    priority = outage.major_incident.priority if outage.major_incident_id and outage.major_incident else 1
    return targets.get((outage.supplier_id or 0, priority))


def supplier_restores(start: datetime, end: datetime, *, now: datetime) -> list[SupplierRestores]:
    """Per supplier, the unplanned outages that started in [start, end) and whether each was restored
    within its underpinning contract's restore time, counted in the contract's own calendar (its business
    hours, as the contract's clocks in slas.operational are). Three queries, whatever the number."""
    from slas.calendars import calendar_spec
    from slas.models import OperationalAgreement, OperationalTarget

    outages = list(
        Outage.objects.filter(
            kind=OutageKind.UNPLANNED, supplier__isnull=False, started_at__gte=start, started_at__lt=end
        )
        .select_related("supplier", "major_incident")
        .order_by("supplier__name", "started_at")
    )
    if not outages:
        return []
    supplier_ids = {o.supplier_id for o in outages}
    contracts = {
        c.supplier_id: c
        for c in OperationalAgreement.objects.filter(
            kind=OperationalAgreement.Kind.UC, supplier_id__in=supplier_ids
        )
    }
    targets = {
        (t.agreement.supplier_id or 0, t.priority): t.resolution_minutes
        for t in OperationalTarget.objects.filter(agreement__in=list(contracts.values())).select_related(
            "agreement"
        )
    }
    rows: dict[int, dict[str, Any]] = {}
    for outage in outages:
        if outage.supplier is None or outage.supplier_id is None:
            continue  # the query asked for a supplier; the type checker cannot tell
        row = rows.setdefault(
            outage.supplier_id,
            {
                "supplier": outage.supplier,
                "outages": 0,
                "restored": 0,
                "met": 0,
                "missed": 0,
                "open": 0,
                "none": 0,
            },
        )
        row["outages"] += 1
        contract = contracts.get(outage.supplier_id)
        target = restore_target_minutes(outage, targets) if contract else None
        if outage.ended_at is None or outage.ended_at > now:
            row["open"] += 1
            if target is not None and contract is not None:
                so_far = business_between(calendar_spec(contract.calendar_id), outage.started_at, now)
                row["missed"] += so_far > timedelta(minutes=target)  # already past its restore time
            continue
        row["restored"] += 1
        if target is None or contract is None:
            row["none"] += 1
            continue
        took = business_between(calendar_spec(contract.calendar_id), outage.started_at, outage.ended_at)
        if took <= timedelta(minutes=target):
            row["met"] += 1
        else:
            row["missed"] += 1
    return [
        SupplierRestores(
            supplier_id=pk,
            supplier=row["supplier"].name,
            contract=contracts[pk].name if pk in contracts else "",
            outages=row["outages"],
            restored=row["restored"],
            met=row["met"],
            missed=row["missed"],
            still_open=row["open"],
            no_target=row["none"],
        )
        for pk, row in rows.items()
    ]


def _at_site(site_id: int | None) -> Q:
    """The outages of one site and of the links that reach it (everything when no site is named)."""
    if site_id is None:
        return Q()
    return Q(site_id=site_id) | Q(asset__site_id=site_id) | Q(asset__far_site_id=site_id)


def month_availability(
    year: int, month: int, *, now: datetime | None = None, site_id: int | None = None
) -> dict[str, list[Any]]:
    """Every site, every network link and every service with an outage, for the month (so far); with
    `site_id`, only that site and the links that reach it (its page: four queries)."""
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
        .filter(_at_site(site_id))
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
        for s in Site.objects.filter(**({} if site_id is None else {"pk": site_id}))
        .order_by("table_order", "name")
        .only("pk", "name", "town")
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
        .filter(Q() if site_id is None else Q(site_id=site_id) | Q(far_site_id=site_id))
        .select_related("site", "far_site")
        .order_by("asset_tag")
    ]
    services = [
        _figures("service", s.pk, s.name, "", spec, by_service[s.pk], start, end, now)
        for s in Service.objects.filter(pk__in=list(by_service)).order_by("name").only("pk", "name")
    ]
    suppliers = [] if site_id is not None else supplier_restores(start, end, now=now)
    return {"sites": sites, "links": links, "services": services, "outages": outages, "suppliers": suppliers}
