from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Outage, OutageSource

RECENT = timedelta(days=14)
UPCOMING = timedelta(days=14)
SHOWN = 50


def _rows() -> QuerySet[Outage]:
    """With `open_tickets`: how many of its linked tickets are still open (the proposal and the "resolve
    them with one message" of the outages page), counted in the same query."""
    from incidents.models import OPEN_STATUSES

    return Outage.objects.select_related("site", "asset", "service", "supplier", "major_incident").annotate(
        open_tickets=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES), distinct=True)
    )


@dataclass(frozen=True)
class ScheduledWindow:
    """One load-shedding window of one area: the schedule's outages of each of the area's sites' power
    between the same two times, shown as one row ("Stage 2, Dutywa town": its sites)."""

    detail: str  # "Stage 2, Dutywa town" (what load_shedding._schedule_windows writes)
    started_at: datetime
    ended_at: datetime | None
    sites: list[str]


def scheduled_windows(
    rows: QuerySet[Outage], *, newest_first: bool = False, limit: int | None = SHOWN
) -> list[ScheduledWindow]:
    """The schedule's windows among `rows`, one per area and time window: grouped in SQL, then the sites of
    the windows shown in one more query (two in all, however many windows)."""
    schedule = rows.filter(source=OutageSource.SCHEDULE)
    order = ("-started_at", "detail") if newest_first else ("started_at", "detail")
    groups = list(
        schedule.values("detail", "started_at", "ended_at")
        .annotate(count=Count("pk"))
        .order_by(*order)[:limit]
    )
    if not groups:
        return []
    wanted = Q()
    for group in groups:
        wanted |= Q(detail=group["detail"], started_at=group["started_at"], ended_at=group["ended_at"])
    sites: dict[tuple, list[str]] = {}
    for detail, started_at, ended_at, name in (
        schedule.filter(wanted)
        .order_by("site__name")
        .values_list("detail", "started_at", "ended_at", "site__name")
    ):
        sites.setdefault((detail, started_at, ended_at), []).append(name)
    return [
        ScheduledWindow(
            detail=g["detail"],
            started_at=g["started_at"],
            ended_at=g["ended_at"],
            sites=sites.get((g["detail"], g["started_at"], g["ended_at"]), []),
        )
        for g in groups
    ]


def outages_now_and_next() -> dict[str, list]:
    """The outages page: what is down now, what is planned (load-shedding, maintenance) in the next two
    weeks, and what ended in the last two; at most SHOWN of each. The load-shedding schedule's coming and
    ended windows are grouped by area and time window (`*_windows`), every other outage is its own row."""
    now = timezone.now()
    upcoming = Outage.objects.filter(started_at__gt=now, started_at__lte=now + UPCOMING)
    ended = Outage.objects.filter(ended_at__lte=now, ended_at__gt=now - RECENT)
    individual = ~Q(source=OutageSource.SCHEDULE)
    return {
        "current": list(
            _rows()
            .filter(started_at__lte=now)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
            .order_by("started_at")[:SHOWN]
        ),
        "upcoming": list(
            _rows()
            .filter(individual, started_at__gt=now, started_at__lte=now + UPCOMING)
            .order_by("started_at")[:SHOWN]
        ),
        "upcoming_windows": scheduled_windows(upcoming),
        "ended": list(
            _rows()
            .filter(individual, ended_at__lte=now, ended_at__gt=now - RECENT)
            .order_by("-ended_at")[:SHOWN]
        ),
        "ended_windows": scheduled_windows(ended, newest_first=True),
    }
