"""Business-time arithmetic: the only code that adds working time to an instant or measures it.

Two functions, `business_add` and `business_between`, over a `CalendarSpec` (working hours per weekday,
closed dates, a 24x7 flag) in the calendar's time zone. They are pure: the spec is built once from the
database (slas.calendars.calendar_spec) and the functions touch nothing else, so property tests can
check that they agree with each other, never go backwards, and skip every closed minute.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

ZERO = timedelta(0)
MAX_DAYS_SCANNED = 3 * 366  # a calendar that never opens would otherwise loop for ever


@dataclass(frozen=True)
class CalendarSpec:
    """Opening hours (weekday 0=Monday -> list of (opens, closes) local times), closed local dates, and
    windows of unavailability (`excluded`: sorted, disjoint UTC intervals, e.g. a site's outages) that do
    not count although the calendar is open. Build the windows with `with_windows`."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Africa/Johannesburg"))
    hours: tuple[tuple[tuple[time, time], ...], ...] = ((),) * 7
    closed: frozenset[date] = frozenset()
    always_open: bool = False
    excluded: tuple[tuple[datetime, datetime], ...] = ()

    def is_working_day(self, day: date) -> bool:
        """The calendar opens at some time on this local date (the one meaning of "working day")."""
        if self.always_open:
            return True
        return day not in self.closed and any(closes > opens for opens, closes in self.hours[day.weekday()])

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local date, as UTC datetimes (exact arithmetic), in order, less the
        excluded windows."""
        if self.always_open:
            intervals = [
                (
                    _utc(datetime.combine(day, time(0), self.tz)),
                    _utc(datetime.combine(day + timedelta(days=1), time(0), self.tz)),
                )
            ]
        elif day in self.closed:
            return []
        else:
            intervals = [
                (_utc(datetime.combine(day, opens, self.tz)), _utc(datetime.combine(day, closes, self.tz)))
                for opens, closes in self.hours[day.weekday()]
                if closes > opens
            ]
        if self.excluded and intervals:
            intervals = _subtract(intervals, self.excluded, self._excluded_ends)
        return intervals

    @cached_property
    def _excluded_ends(self) -> list[datetime]:
        return [end for _start, end in self.excluded]


def merge_windows(windows: Iterable[tuple[datetime, datetime]]) -> tuple[tuple[datetime, datetime], ...]:
    """Sorted, disjoint UTC windows from any windows (overlapping or touching ones join, so an instant is
    never excluded twice; empty ones are dropped)."""
    merged: list[list[datetime]] = []
    for start, end in sorted((_utc(s), _utc(e)) for s, e in windows if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def with_windows(spec: CalendarSpec, windows: Sequence[tuple[datetime, datetime]]) -> CalendarSpec:
    """The calendar with these windows of unavailability not counted (added to those it has)."""
    if not windows:
        return spec
    return replace(spec, excluded=merge_windows([*spec.excluded, *windows]))


def _subtract(
    intervals: list[tuple[datetime, datetime]],
    windows: tuple[tuple[datetime, datetime], ...],
    ends: list[datetime],
) -> list[tuple[datetime, datetime]]:
    first, last = intervals[0][0], intervals[-1][1]
    # Windows are sorted and disjoint: start at the first that ends after the day's first opening.
    index = bisect_right(ends, first)
    relevant = [w for w in windows[index:] if w[0] < last]
    if not relevant:
        return intervals
    result = []
    for opens, closes in intervals:
        cursor = opens
        for start, end in relevant:
            if end <= cursor or start >= closes:
                continue
            if start > cursor:
                result.append((cursor, start))
            cursor = max(cursor, end)
            if cursor >= closes:
                break
        if cursor < closes:
            result.append((cursor, closes))
    return result


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
