"""Conflicts of a planned change: a critical period of a service it affects, another change at the same
site or on the same asset at the same time. A pure function over plain values (no queries), so the rule
is tested on its own; `selectors.change_conflicts` gathers the values for one change."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Conflict:
    kind: str  # "critical_period" or "change"
    reason: str  # in plain words
    other_id: int | None = None  # the other change, for a change conflict


@dataclass(frozen=True)
class PlannedChange:
    id: int | None
    reference: str
    start: datetime
    end: datetime
    site_ids: frozenset[int]
    asset_ids: frozenset[int]


@dataclass(frozen=True)
class ServicePeriod:
    service_name: str
    period_name: str
    contains: Callable[[date], bool]  # is this local date inside the period


def local_days(start: datetime, end: datetime) -> list[date]:
    """Every local (Africa/Johannesburg) date the window touches."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def find_conflicts(
    change: PlannedChange, *, periods: Iterable[ServicePeriod], others: Iterable[PlannedChange]
) -> list[Conflict]:
    """Each conflict of `change`, periods first, then other changes by start."""
    found: list[Conflict] = []
    days = local_days(change.start, change.end)
    for period in periods:
        hit = next((day for day in days if period.contains(day)), None)
        if hit is not None:
            found.append(
                Conflict(
                    "critical_period",
                    f"{hit:%-d %B %Y} is in {period.service_name}'s critical period ({period.period_name}).",
                )
            )
    for other in sorted(others, key=lambda o: (o.start, o.id or 0)):
        if other.id == change.id or not (other.start < change.end and change.start < other.end):
            continue
        shared = []
        if change.site_ids & other.site_ids:
            shared.append("site")
        if change.asset_ids & other.asset_ids:
            shared.append("asset")
        if shared:
            window = (
                f"{timezone.localtime(other.start):%-d %b %H:%M}-{timezone.localtime(other.end):%-d %b %H:%M}"
            )
            found.append(
                Conflict(
                    "change",
                    f"{other.reference} works on the same {' and '.join(shared)} at the same time "
                    f"({window}).",
                    other.id,
                )
            )
    return found
