"""Business-time arithmetic: the only code that adds working time to an instant or measures it.

Two functions, `business_add` and `business_between`, over a `CalendarSpec` (working hours per weekday,
closed dates, a 24x7 flag) in the calendar's time zone. They are pure: the spec is built once from the
database (slas.calendars.calendar_spec) and the functions touch nothing else, so property tests can
check that they agree with each other, never go backwards, and skip every closed minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZERO = timedelta(0)
MAX_DAYS_SCANNED = 3 * 366  # a calendar that never opens would otherwise loop for ever


@dataclass(frozen=True)
class CalendarSpec:
    """Opening hours (weekday 0=Monday -> list of (opens, closes) local times), closed local dates."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Africa/Johannesburg"))
    hours: tuple[tuple[tuple[time, time], ...], ...] = ((),) * 7
    closed: frozenset[date] = frozenset()
    always_open: bool = False

    def is_working_day(self, day: date) -> bool:
        """The calendar opens at some time on this local date (the one meaning of "working day")."""
        if self.always_open:
            return True
        return day not in self.closed and any(closes > opens for opens, closes in self.hours[day.weekday()])

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local date, as UTC datetimes (exact arithmetic), in order."""
        if self.always_open:
            return [
                (
                    _utc(datetime.combine(day, time(0), self.tz)),
                    _utc(datetime.combine(day + timedelta(days=1), time(0), self.tz)),
                )
            ]
        if day in self.closed:
            return []
        return [
            (_utc(datetime.combine(day, opens, self.tz)), _utc(datetime.combine(day, closes, self.tz)))
            for opens, closes in self.hours[day.weekday()]
            if closes > opens
        ]


def _open_intervals(spec: CalendarSpec, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals from `start` on, clipped so none begins before it."""
    day = start.astimezone(spec.tz).date()
    for _ in range(MAX_DAYS_SCANNED):
        for opens, closes in spec.intervals_on(day):
            if closes <= start:
                continue
            yield max(opens, start), closes
        day += timedelta(days=1)
    raise ValueError("the calendar has no open time in three years")


def business_add(spec: CalendarSpec, start: datetime, duration: timedelta) -> datetime:
    """The instant at which `duration` of open time has passed since `start`.

    A zero duration returns `start` itself. Otherwise the result is inside open time or at the very
    end of an open interval (a deadline of "4 business hours" from 14:00 on a Friday lands on Monday).
    """
    if start.tzinfo is None:
        raise ValueError("business_add needs an aware datetime")
    if duration < ZERO:
        raise ValueError("business_add cannot go backwards")
    if duration == ZERO:
        return start
    remaining = duration
    for opens, closes in _open_intervals(spec, _utc(start)):
        span = closes - opens
        if remaining <= span:
            return opens + remaining
        remaining -= span
    raise AssertionError("unreachable")  # _open_intervals raises first


def business_between(spec: CalendarSpec, start: datetime, end: datetime) -> timedelta:
    """Open time between two instants; zero when `end` is not after `start`."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("business_between needs aware datetimes")
    if end <= start:
        return ZERO
    start, end = _utc(start), _utc(end)
    total = ZERO
    day = start.astimezone(spec.tz).date()
    last = end.astimezone(spec.tz).date()
    while day <= last:
        for opens, closes in spec.intervals_on(day):
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def is_open(spec: CalendarSpec, instant: datetime) -> bool:
    day = instant.astimezone(spec.tz).date()
    return any(opens <= instant < closes for opens, closes in spec.intervals_on(day))


UTC = ZoneInfo("UTC")


def _utc(instant: datetime) -> datetime:
    # Arithmetic on UTC instants is exact; on local wall-clock times it would not be across a DST change.
    return instant.astimezone(UTC)
