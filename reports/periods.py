"""Reporting periods: calendar months in South African time, and "this month so far".

A period is a half-open interval [start, end) of aware datetimes. A whole month runs from local midnight
on the 1st to local midnight on the 1st of the next month; the current month ends at "now" (so far).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

TZ = ZoneInfo("Africa/Johannesburg")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
TREND_MONTHS = 6


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=TZ)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def this_month(now: datetime | None = None) -> date:
    local = (now or timezone.now()).astimezone(TZ)
    return date(local.year, local.month, 1)


@dataclass(frozen=True)
class Period:
    month: date  # the first day of the month the period lies in
    start: datetime
    end: datetime  # exclusive

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def full_end(self) -> datetime:
        return month_start(add_months(self.month, 1))

    @property
    def so_far(self) -> bool:
        """True for a month that has not ended yet (the period stops at the moment it was measured)."""
        return self.end < self.full_end

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def short_label(self) -> str:
        return f"{self.month:%b %Y}"

    @property
    def long_label(self) -> str:
        if not self.so_far:
            return self.label
        local = self.end.astimezone(TZ)
        return f"{self.label}, 1 to {local.day} {local:%B %H:%M}"

    def as_dict(self) -> dict:
        return {
            "month": self.key,
            "label": self.label,
            "long_label": self.long_label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "so_far": self.so_far,
        }


def parse_month(text: str) -> date:
    """'2026-10' -> date(2026, 10, 1); ValueError for anything else."""
    match = MONTH_PATTERN.match((text or "").strip())
    if not match:
        raise ValueError("Give the month as YYYY-MM, e.g. 2026-10.")
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError("Give a real month, e.g. 2026-10.")
    return date(year, month, 1)


def month_period(month: date, *, now: datetime | None = None) -> Period:
    """The month as a period; the current month ends now. A month that has not begun is a ValueError."""
    now = now or timezone.now()
    start = month_start(month)
    if start > now:
        raise ValueError(f"{month:%B %Y} has not begun yet.")
    return Period(month=month, start=start, end=min(month_start(add_months(month, 1)), now))


def comparable_previous(period: Period) -> Period:
    """What a period is compared with: the month before; for a month so far, the same length of it
    (1 to 14 October is compared with 1 to 14 September), so that partial counts compare fairly."""
    month = add_months(period.month, -1)
    start = month_start(month)
    full_end = month_start(period.month)
    if not period.so_far:
        return Period(month=month, start=start, end=full_end)
    return Period(month=month, start=start, end=min(start + (period.end - period.start), full_end))


def trend_periods(period: Period, count: int = TREND_MONTHS) -> list[Period]:
    """The `count` months ending with the period's own (that one as measured), oldest first."""
    periods = []
    for back in range(count - 1, 0, -1):
        month = add_months(period.month, -back)
        periods.append(Period(month=month, start=month_start(month), end=month_start(add_months(month, 1))))
    return [*periods, period]


def recent_months(now: datetime | None = None, count: int = 13) -> list[date]:
    """This month and the `count - 1` before it, newest first (the period picker's choices)."""
    current = this_month(now)
    return [add_months(current, -back) for back in range(count)]


def previous_month(now: datetime | None = None) -> date:
    return add_months(this_month(now), -1)
