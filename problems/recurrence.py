"""Finding recurring incidents: the same service at the same site (or on the same asset), N or more
incidents within D working days. A pure function over plain values (`recurrences_find`), so its rule is
tested on hand-built months without a database; `services.recurrences_refresh` feeds it one query's
rows and stores what it finds as proposals.

The rule, in words (docs/problems.md):
- incidents are grouped by (service, asset) and by (service, site); an incident that recurs on one
  asset is proposed with that asset, and only the rest of the site's incidents are grouped by site;
- within a group, in the order they were logged, any N incidents whose first and last fall within D
  working days of the desk's calendar (a Saturday counts as the Monday after) make a recurrence;
  overlapping runs join into one proposal, so a fault that keeps coming back is one proposal, not many;
- the evidence is the tickets and the working days between each one and the next.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise


@dataclass(frozen=True)
class IncidentPoint:
    ticket_id: int
    service_id: int
    site_id: int
    asset_id: int | None
    logged_at: datetime
    logged_on: date  # the local date (the desk's time zone)


@dataclass(frozen=True)
class Recurrence:
    service_id: int
    site_id: int | None
    asset_id: int | None
    ticket_ids: tuple[int, ...]
    # Working days between each incident and the next (len(ticket_ids) - 1 numbers).
    intervals: tuple[int, ...]


def working_day_numbers(first: date, last: date, is_working_day: Callable[[date], bool]) -> dict[date, int]:
    """Each date from `first` to `last` -> how many working days come before it since `first`: two dates'
    difference is the working days between them (a day off takes the number of the next working day)."""
    numbers: dict[date, int] = {}
    count = 0
    day = first
    while day <= last:
        numbers[day] = count
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return numbers


def _runs(
    points: list[IncidentPoint], numbers: dict[date, int], minimum: int, window: int
) -> list[list[IncidentPoint]]:
    """The joined runs of at least `minimum` incidents within `window` working days, in logged order."""
    points = sorted(points, key=lambda p: (p.logged_at, p.ticket_id))
    marked = [False] * len(points)
    left = 0
    for right, point in enumerate(points):
        while numbers[point.logged_on] - numbers[points[left].logged_on] > window - 1:
            left += 1
        if right - left + 1 >= minimum:
            for i in range(left, right + 1):
                marked[i] = True
    runs: list[list[IncidentPoint]] = []
    previous_marked = False
    previous_right = -1
    # Marked incidents that belong to overlapping windows are consecutive in order: split where the gap
    # between two marked neighbours is wider than the window (they share no window).
    for i, point in enumerate(points):
        if not marked[i]:
            previous_marked = False
            continue
        joins = (
            previous_marked
            and numbers[point.logged_on] - numbers[points[previous_right].logged_on] <= window - 1
        )
        if joins:
            runs[-1].append(point)
        else:
            runs.append([point])
        previous_marked, previous_right = True, i
    return runs


def recurrences_find(
    points: Iterable[IncidentPoint],
    *,
    minimum: int,
    window_days: int,
    is_working_day: Callable[[date], bool],
) -> list[Recurrence]:
    """Every recurrence among the incidents (see the module's rule), assets first, then sites."""
    points = list(points)
    if not points or minimum < 2 or window_days < 1:
        return []
    numbers = working_day_numbers(
        min(p.logged_on for p in points), max(p.logged_on for p in points), is_working_day
    )

    def found(group: list[IncidentPoint], site_id: int | None, asset_id: int | None) -> list[Recurrence]:
        out = []
        for run in _runs(group, numbers, minimum, window_days):
            days = [numbers[p.logged_on] for p in run]
            out.append(
                Recurrence(
                    service_id=run[0].service_id,
                    site_id=site_id,
                    asset_id=asset_id,
                    ticket_ids=tuple(p.ticket_id for p in run),
                    intervals=tuple(b - a for a, b in pairwise(days)),
                )
            )
        return out

    by_asset: dict[tuple[int, int], list[IncidentPoint]] = defaultdict(list)
    for p in points:
        if p.asset_id is not None:
            by_asset[(p.service_id, p.asset_id)].append(p)
    recurrences: list[Recurrence] = []
    for (_, asset_id), group in sorted(by_asset.items()):
        recurrences += found(group, group[0].site_id, asset_id)
    on_an_asset = {ticket_id for r in recurrences for ticket_id in r.ticket_ids}

    by_site: dict[tuple[int, int], list[IncidentPoint]] = defaultdict(list)
    for p in points:
        if p.ticket_id not in on_an_asset:
            by_site[(p.service_id, p.site_id)].append(p)
    for (_, site_id), group in sorted(by_site.items()):
        recurrences += found(group, site_id, None)
    return recurrences
