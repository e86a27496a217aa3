"""Planned outages and load-shedding windows on the change calendar (registered with
changes.selectors.register_calendar_source in OutagesConfig.ready): the calendar page and
GET /api/changes/calendar/ show them with their kind, "outage" or "load-shedding"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from changes.selectors import CalendarEntry

from .models import Outage, OutageKind, OutageSource
from .selectors import scheduled_windows

OUTAGE = "outage"
LOAD_SHEDDING = "load-shedding"


def _span(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime.combine(first, time.min, zone), datetime.combine(last + timedelta(days=1), time.min, zone)


def _overlapping(first: date, last: date):
    start, end = _span(first, last)
    return Outage.objects.filter(started_at__lt=end).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))


def planned_outage_entries(first: date, last: date, user: Any) -> list[CalendarEntry]:
    """Planned outages (maintenance, a change) between two local dates: one query."""
    end = _span(first, last)[1]
    rows = (
        _overlapping(first, last)
        .filter(kind=OutageKind.PLANNED)
        .select_related("site", "service")
        .order_by("started_at", "pk")
    )
    return [
        CalendarEntry(
            OUTAGE,
            f"{outage.reference} {outage.title}" + (f": {outage.detail[:80]}" if outage.detail else ""),
            outage.started_at,
            outage.ended_at or outage.expected_end_at or end,
            reverse("outages:outage_list"),
            outage.get_cause_display(),
            outage.pk,
        )
        for outage in rows
    ]


def _sites(detail: str, sites: list[str]) -> str:
    """The sites in brackets, short enough for a calendar day: none when the area is named after its one
    site, a count when there are more than two (the outages page names them all)."""
    if len(sites) == 1 and detail.endswith(f", {sites[0]}"):
        return ""
    return f" ({', '.join(sites)})" if len(sites) <= 2 else f" ({len(sites)} sites)"


def load_shedding_entries(first: date, last: date, user: Any) -> list[CalendarEntry]:
    """The schedule's load-shedding windows, one per area and window with its sites: two queries."""
    windows = scheduled_windows(
        _overlapping(first, last).filter(source=OutageSource.SCHEDULE, kind=OutageKind.LOAD_SHEDDING),
        limit=None,
    )
    return [
        CalendarEntry(
            LOAD_SHEDDING,
            f"Load-shedding: {window.detail or 'the schedule'}{_sites(window.detail, window.sites)}",
            window.started_at,
            window.ended_at or window.started_at,
            reverse("outages:outage_list"),
        )
        for window in windows
    ]
