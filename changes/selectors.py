"""Reads about changes: lists, the change page, conflicts, the calendar, what staff are shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from catalogue.critical_periods import in_period
from catalogue.models import CriticalPeriod
from common import access

from .conflicts import Conflict, PlannedChange, ServicePeriod, find_conflicts, local_days
from .models import GOING_AHEAD, Change, ChangeApproval, ChangeEvent, ChangeStatus


def change_list() -> QuerySet[Change]:
    """Changes newest first, with what a list row shows (ordering ends with the key: pages read ids
    first, common.pagination)."""
    return (
        Change.objects.select_related("requested_by", "implementer")
        .prefetch_related("sites", "services")
        .order_by("-created_at", "-id")
    )


def change_page(pk: int) -> Change:
    return (
        Change.objects.select_related("requested_by", "implementer", "template")
        .prefetch_related(
            "services",
            "sites",
            "assets",
            "caused_incidents",
            "fixes_problems",
            Prefetch("approvals", queryset=ChangeApproval.objects.select_related("approver")),
            Prefetch("events", queryset=ChangeEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


def changes_a_problem_may_name() -> QuerySet[Change]:
    """The changes a problem may name as its fix ("fixed by change CHG-..."): any change not cancelled or
    rejected. For the problems app (issue 17) to offer; changes knows nothing of problems."""
    return Change.objects.exclude(status__in=(ChangeStatus.CANCELLED, ChangeStatus.REJECTED)).order_by("-id")


def _planned(change: Change, site_ids: Iterable[int], asset_ids: Iterable[int]) -> PlannedChange:
    start, end = change.planned_start, change.planned_end
    if start is None or end is None:
        raise ValueError(f"{change.reference} has no planned window")
    return PlannedChange(
        change.pk,
        change.reference,
        start,
        end,
        frozenset(site_ids),
        frozenset(asset_ids),
    )


def change_conflicts(change: Change) -> list[Conflict]:
    """The change's conflicts now (none until it has planned dates): four queries, whatever the size."""
    if not (change.planned_start and change.planned_end):
        return []
    site_ids = set(change.sites.values_list("pk", flat=True))
    asset_ids = set(change.assets.values_list("pk", flat=True))
    periods = [
        ServicePeriod(period.service.name, period.name, partial(in_period, period))
        for period in CriticalPeriod.objects.filter(service__changes=change).select_related("service")
    ]
    others = (
        Change.objects.filter(
            status__in=(*GOING_AHEAD, ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED),
            planned_start__lt=change.planned_end,
            planned_end__gt=change.planned_start,
        )
        .filter(Q(sites__in=site_ids) | Q(assets__in=asset_ids))
        .exclude(pk=change.pk)
        .distinct()
        .prefetch_related("sites", "assets")
    )
    planned_others = [
        _planned(o, (s.pk for s in o.sites.all()), (a.pk for a in o.assets.all())) for o in others
    ]
    return find_conflicts(_planned(change, site_ids, asset_ids), periods=periods, others=planned_others)


# --- the calendar ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    kind: str  # "change", "critical_period", and whatever a registered source adds ("outage")
    title: str
    start: datetime
    end: datetime
    url: str = ""
    status: str = ""
    id: int | None = None


# Other kinds of entry (issue 20's planned outages and load-shedding windows): a source is called with
# (from date, to date, user) and returns CalendarEntry rows. Registered at start-up by the app that owns
# them, as slas registers catalogue's targets; changes never imports it.
CalendarSource = Callable[[date, date, Any], list[CalendarEntry]]
_sources: dict[str, CalendarSource] = {}


def register_calendar_source(kind: str, source: CalendarSource | None) -> None:
    if source is None:
        _sources.pop(kind, None)
    else:
        _sources[kind] = source


def registered_kinds() -> list[str]:
    return sorted(_sources)


def calendar_changes(user: Any, start: datetime, end: datetime) -> QuerySet[Change]:
    """Changes on the calendar the user may see: support and approvers see every change going ahead or
    done in the window; anyone else (Staff) only the approved ones at their own site."""
    rows = Change.objects.filter(planned_start__lt=end, planned_end__gt=start).order_by("planned_start", "id")
    if access.may(user, "change.view"):
        return rows.exclude(status__in=(ChangeStatus.DRAFT, ChangeStatus.CANCELLED, ChangeStatus.REJECTED))
    site_id = getattr(user, "site_id", None)
    if site_id is None:
        return rows.none()
    return rows.filter(status__in=(*GOING_AHEAD, ChangeStatus.IMPLEMENTED), sites=site_id).distinct()


def _critical_period_entries(first: date, last: date) -> list[CalendarEntry]:
    """Each critical period of a live service as runs of consecutive days inside [first, last]."""
    entries = []
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    zone = timezone.get_current_timezone()
    for period in CriticalPeriod.objects.filter(service__status="live").select_related("service"):
        run: list[date] = []
        for day in [*days, None]:
            if day is not None and in_period(period, day):
                run.append(day)
                continue
            if run:
                entries.append(
                    CalendarEntry(
                        "critical_period",
                        f"{period.service.name}: {period.name}",
                        datetime.combine(run[0], datetime.min.time(), zone),
                        datetime.combine(run[-1] + timedelta(days=1), datetime.min.time(), zone),
                    )
                )
                run = []
    return entries


def calendar_entries(user: Any, first: date, last: date) -> list[CalendarEntry]:
    """Changes, critical periods and every registered kind between two local dates (inclusive), by start.
    Staff see only the approved changes that affect their site."""
    from django.urls import reverse

    zone = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    entries = [
        CalendarEntry(
            "change",
            f"{change.reference} {change.summary}",
            change.planned_start or start,  # the query asked for both; the type checker cannot tell
            change.planned_end or end,
            reverse("changes:change_detail", args=[change.pk]) if access.may(user, "change.view") else "",
            change.status,
            change.pk,
        )
        for change in calendar_changes(user, start, end)
    ]
    if access.may(user, "change.view"):
        entries += _critical_period_entries(first, last)
        for source in _sources.values():
            entries += source(first, last, user)
    return sorted(entries, key=lambda e: (e.start, e.kind, e.title))


def calendar_days(
    entries: list[CalendarEntry], first: date, last: date
) -> list[tuple[date, list[CalendarEntry]]]:
    """Each date from first to last with the entries that touch it (for the month and week grids)."""
    by_day: dict[date, list[CalendarEntry]] = {
        first + timedelta(days=n): [] for n in range((last - first).days + 1)
    }
    for entry in entries:
        for day in local_days(entry.start, entry.end):
            if day in by_day:
                by_day[day].append(entry)
    return list(by_day.items())


# --- what staff are told -----------------------------------------------------------------------------------


def interrupting_now(site_id: int | None, at: datetime | None = None) -> list[Change]:
    """Approved changes that interrupt a service at this site right now (the portal's banner)."""
    if site_id is None:
        return []
    at = at or timezone.now()
    return list(
        Change.objects.filter(
            interrupts_service=True,
            status__in=(ChangeStatus.APPROVED, ChangeStatus.SCHEDULED, ChangeStatus.IN_PROGRESS),
            planned_start__lte=at,
            planned_end__gt=at,
            sites=site_id,
        )
        .only("id", "summary", "planned_end")
        .order_by("planned_start", "id")
    )
