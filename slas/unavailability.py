"""When a ticket's site was (or will be) unavailable, as windows the clocks do not count.

The outages live in the `outages` app, above `incidents`; `slas` may not import it. So `outages` registers
its answer here at start-up (`register_unavailability_source`, from OutagesConfig.ready), as `slas`
registers its working-day rule with catalogue: docs/architecture.md lists the hook among the exceptions to
the arrow. Which outages count is the agreement's `pause_for_outages` (OutagePolicy); the windows are taken
out of the calendar (slas.business_time.with_windows), so past and future windows, overlaps and the part of
an outage outside business hours are all handled by the same two functions as every other closed minute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import OutagePolicy

# The outage kinds (outages.models.OutageKind values) each policy pauses for.
PAUSING_KINDS: dict[str, frozenset[str]] = {
    OutagePolicy.UNPLANNED: frozenset({"load_shedding", "unplanned"}),
    OutagePolicy.ALL: frozenset({"load_shedding", "unplanned", "planned"}),
    OutagePolicy.NEVER: frozenset(),
}


@dataclass(frozen=True)
class UnavailableWindow:
    start: datetime
    end: datetime
    kind: str
    label: str  # as the ticket page says it, e.g. "OUT-000004 Willowvale link down"


# site_id, kinds, since -> the windows of those kinds at that site that end after `since` (an open outage
# ends at its expected end, or now).
Source = Callable[[int, frozenset[str], datetime], list[UnavailableWindow]]

_source: Source | None = None


def register_unavailability_source(source: Source | None) -> None:
    global _source
    _source = source


def site_windows(site_id: int | None, policy: str, since: datetime) -> list[UnavailableWindow]:
    """The windows during which a ticket at this site does not count, under this policy."""
    kinds = PAUSING_KINDS.get(policy, frozenset())
    if _source is None or site_id is None or not kinds:
        return []
    return _source(site_id, kinds, since)


def windows_not_counted(
    site_id: int | None, sla_id: int | None, start: datetime, end: datetime
) -> list[tuple[UnavailableWindow, timedelta]]:
    """For the ticket page: each outage window of the site between `start` and `end` that the agreement's
    clocks did not count, with the business time it took out ("Willowvale link down 09:10-11:40: 2 h 30
    min not counted"). Overlapping windows are each shown whole; the clocks count their union once."""
    from .business_time import business_between
    from .calendars import agreement_calendar, calendar_spec

    if site_id is None or sla_id is None or end <= start:
        return []
    calendar_id, policy = agreement_calendar(sla_id)
    spec = calendar_spec(calendar_id)
    found = []
    for window in site_windows(site_id, policy, start):
        if window.start >= end:
            continue
        taken = business_between(spec, max(window.start, start), min(window.end, end))
        if taken:
            found.append((window, taken))
    return found
