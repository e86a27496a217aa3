"""Critical periods: when a service matters most (e.g. the financial system in the payroll days).

This module only answers "is this date inside the period". Some rules count *working days* ("the last
three working days of the month"); what a working day is belongs to the service desk's calendar, which
`slas` owns and `catalogue` may not import. So `slas` registers its answer at start-up
(`register_working_day_rule(slas.calendars.is_working_day)`, from SlasConfig.ready), as it does for the
catalogue's targets (catalogue.targets): a shutdown day or a public holiday on that calendar is not a
working day here either. docs/architecture.md lists the hook among the exceptions to the arrow.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

WorkingDayRule = Callable[[date], bool]

_working_day: WorkingDayRule | None = None


def register_working_day_rule(rule: WorkingDayRule | None) -> None:
    """Set the one rule for "working day" (a later registration replaces an earlier one; None removes
    it)."""
    global _working_day
    _working_day = rule


def is_working_day(day: date) -> bool:
    """The registered rule's answer (slas: the service desk's calendar opens on that date)."""
    if _working_day is None:
        raise ImproperlyConfigured("No working-day rule is registered: slas registers it at start-up.")
    return _working_day(day)


def working_days_of_month(year: int, month: int) -> list[date]:
    last = calendar.monthrange(year, month)[1]
    return [d for d in (date(year, month, n) for n in range(1, last + 1)) if is_working_day(d)]


def local_date(when: datetime | date | None) -> date:
    if when is None:
        return timezone.localdate()
    if isinstance(when, datetime):
        return timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    return when


def in_period(period, when: datetime | date | None = None) -> bool:
    """Whether the date (in Africa/Johannesburg) of `when` falls inside the critical period."""
    day = local_date(when)
    rule = period.rule
    if rule == "last_working_days":
        return day in working_days_of_month(day.year, day.month)[-period.working_days :]
    if rule == "first_working_days":
        return day in working_days_of_month(day.year, day.month)[: period.working_days]
    if rule == "days_of_month":
        last = calendar.monthrange(day.year, day.month)[1]
        # "25 to 31" in a 30-day month means "25 to the month's end".
        start, end = min(period.from_day, last), min(period.to_day, last)
        return start <= day.day <= end if start <= end else (day.day >= start or day.day <= end)
    if rule == "dates_of_year":
        here = (day.month, day.day)
        start, end = (period.from_month, period.from_day), (period.to_month, period.to_day)
        # A period may run over the new year (e.g. 15 December to 15 January).
        return start <= here <= end if start <= end else (here >= start or here <= end)
    raise ValueError(f"unknown critical period rule {rule!r}")


def active_period(periods, when: datetime | date | None = None):
    """The first of the given periods that `when` falls in, or None."""
    return next((period for period in periods if in_period(period, when)), None)


def describe_period(period) -> str:
    rule = period.rule
    if rule == "last_working_days":
        return f"the last {period.working_days} working days of each month"
    if rule == "first_working_days":
        return f"the first {period.working_days} working days of each month"
    if rule == "days_of_month":
        return f"days {period.from_day} to {period.to_day} of each month"
    if rule == "dates_of_year":
        start = f"{period.from_day} {calendar.month_name[period.from_month]}"
        end = f"{period.to_day} {calendar.month_name[period.to_month]}"
        return f"{start} to {end} each year"
    return rule


def period_errors(period) -> dict[str, str]:
    """Plain-words errors for the fields the period's rule needs (and may not have)."""
    needs = {
        "last_working_days": ("working_days",),
        "first_working_days": ("working_days",),
        "days_of_month": ("from_day", "to_day"),
        "dates_of_year": ("from_day", "to_day", "from_month", "to_month"),
    }.get(period.rule, ())
    errors = {}
    for name in ("working_days", "from_day", "to_day", "from_month", "to_month"):
        value = getattr(period, name)
        if name in needs and value is None:
            errors[name] = "This rule needs this value."
        elif name not in needs and value is not None:
            errors[name] = "Leave this empty for this rule."
    if period.rule == "dates_of_year" and not errors:
        for month_field, day_field in (("from_month", "from_day"), ("to_month", "to_day")):
            month, day = getattr(period, month_field), getattr(period, day_field)
            if day > calendar.monthrange(2024, month)[1]:  # 2024: a leap year allows 29 February
                errors[day_field] = f"{calendar.month_name[month]} has no day {day}."
    return errors
