"""Business calendars as the arithmetic needs them: a CalendarSpec built from the database."""

from __future__ import annotations

import threading
import time as clock
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Any

import holidays

from .business_time import MAX_DAYS_SCANNED, CalendarSpec
from .models import BusinessCalendar

# Holidays are known for these years (the holidays package computes Easter and observed days).
HOLIDAY_YEARS = range(2000, 2051)
SPEC_TTL_SECONDS = 60  # other processes see a calendar edit within a minute

_cache: dict[int, tuple[float, CalendarSpec]] = {}
_lock = threading.Lock()


@lru_cache(maxsize=1)
def south_african_public_holidays() -> frozenset[date]:
    return frozenset(holidays.country_holidays("ZA", years=HOLIDAY_YEARS))


def build_spec(calendar: BusinessCalendar) -> CalendarSpec:
    hours: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for row in calendar.hours.order_by("weekday", "opens"):
        hours[row.weekday].append((row.opens, row.closes))
    closed: set[date] = set(south_african_public_holidays()) if calendar.public_holidays else set()
    for period in calendar.closed_days.all():
        day = period.first_day
        while day <= period.last_day:
            closed.add(day)
            day += timedelta(days=1)
    return CalendarSpec(
        hours=tuple(tuple(day_hours) for day_hours in hours),
        closed=frozenset(closed),
        always_open=calendar.always_open,
    )


def calendar_spec(calendar_id: int) -> CalendarSpec:
    """The calendar's spec, cached in this process for SPEC_TTL_SECONDS (and dropped on every edit here)."""
    now = clock.monotonic()
    with _lock:
        cached = _cache.get(calendar_id)
        if cached and now - cached[0] < SPEC_TTL_SECONDS:
            return cached[1]
    spec = build_spec(BusinessCalendar.objects.get(pk=calendar_id))
    with _lock:
        _cache[calendar_id] = (now, spec)
    return spec


_DESK = "desk"  # the cache's key for the service desk's calendar id
_desk: dict[str, tuple[float, int | None]] = {}


def desk_calendar_spec() -> CalendarSpec | None:
    """The service desk's own calendar: the default SLA's (None when no agreement is the default). Its
    id is cached like the specs (and forgotten on every calendar or agreement edit here)."""
    now = clock.monotonic()
    with _lock:
        cached = _desk.get(_DESK)
    if cached and now - cached[0] < SPEC_TTL_SECONDS:
        calendar_id = cached[1]
    else:
        from .models import ServiceLevelAgreement

        defaults = ServiceLevelAgreement.objects.filter(is_default=True)
        calendar_id = defaults.values_list("calendar_id", flat=True).first()
        with _lock:
            _desk[_DESK] = (now, calendar_id)
    return calendar_spec(calendar_id) if calendar_id is not None else None


_agreements: dict[int, tuple[float, tuple[int, str]]] = {}


def agreement_calendar(sla_id: int) -> tuple[int, str]:
    """The agreement's calendar id and outage policy (`pause_for_outages`), cached like the specs and
    forgotten with them on every agreement edit here (the ticket page reads them on every view of a
    ticket whose clocks an outage paused; issue 22). ServiceLevelAgreement.DoesNotExist when there is
    no such agreement."""
    now = clock.monotonic()
    with _lock:
        cached = _agreements.get(sla_id)
    if cached and now - cached[0] < SPEC_TTL_SECONDS:
        return cached[1]
    from .models import ServiceLevelAgreement

    calendar_id, policy = ServiceLevelAgreement.objects.values_list("calendar_id", "pause_for_outages").get(
        pk=sla_id
    )
    with _lock:
        _agreements[sla_id] = (now, (calendar_id, policy))
    return calendar_id, policy


def is_working_day(day: date) -> bool:
    """Whether the service desk works on this local date: its calendar (desk_calendar_spec) opens then,
    so weekends, public holidays and closed days such as the year-end shutdown are not working days.
    The one answer for auto-close, critical periods (through catalogue.critical_periods) and the
    benchmark. With no default agreement every day counts."""
    spec = desk_calendar_spec()
    return spec is None or spec.is_working_day(day)


def nth_working_day(day: date, n: int) -> date:
    """The n-th working day after `day` (n > 0) or before it (n < 0), `day` itself not counted."""
    if n == 0:
        return day
    step = timedelta(days=1 if n > 0 else -1)
    counted = 0
    for _ in range(MAX_DAYS_SCANNED):
        day += step
        counted += is_working_day(day)
        if counted == abs(n):
            return day
    raise ValueError("the service desk's calendar has no working day in three years")


def forget_calendars(*args: Any, **kwargs: Any) -> None:
    with _lock:
        _cache.clear()
        _desk.clear()
        _agreements.clear()
