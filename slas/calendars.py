"""Business calendars as the arithmetic needs them: a CalendarSpec built from the database."""

from __future__ import annotations

import threading
import time as clock
from datetime import date, time, timedelta
from functools import lru_cache

import holidays

from .business_time import CalendarSpec
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


def forget_calendars(*args, **kwargs) -> None:
    with _lock:
        _cache.clear()
