"""SLA clocks, derived from a ticket's history and nothing else.

`incidents` hands over the ticket's history as a list of HistoryPoints (what was true from each instant
on: paused or not, resolved or not, responded or not, the priority and the SLA) and `clocks_derive`
replays it with the business-time functions. Replaying the same history always gives the same clocks,
so a change of priority, service or SLA mid-ticket keeps every business second already counted and
every pause already taken (the mistake other products make is to restart or patch the clock instead).

Response clock: runs from logging until the first response (docs/sla.md defines it) or resolution.
Resolution clock: runs from logging until resolution; a reopen resumes it with its elapsed time.
Both stand still while the ticket is pending (on the requester or a third party).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .agreements import target_minutes
from .business_time import ZERO, CalendarSpec, business_add, business_between, with_windows
from .calendars import calendar_spec
from .models import ClockKind, ClockState, ServiceLevelAgreement, SlaClock, SlaEvent
from .unavailability import site_windows

WARNING_SHARE = 0.75


@dataclass(frozen=True)
class HistoryPoint:
    """From `at` on: the ticket's state as far as the clocks care."""

    at: datetime
    sla_id: int
    priority: int
    paused: bool = False
    resolved: bool = False
    responded: bool = False


@dataclass
class ClockResult:
    kind: str
    sla_id: int
    priority: int
    target: timedelta
    state: str
    elapsed: timedelta  # counted up to state_since
    state_since: datetime
    due_at: datetime | None = None
    warn_at: datetime | None = None
    warned_at: datetime | None = None  # when 75 % was reached, if it was
    breached_at: datetime | None = None  # when 100 % was reached, if it was
    stopped_at: datetime | None = None
    # Business time not counted because the ticket's site was down (slas.unavailability), up to the
    # derivation (a running clock: up to `now`).
    excluded: timedelta = ZERO


@dataclass
class _Clock:
    kind: str
    elapsed: timedelta = ZERO
    running_since: datetime | None = None
    stopped_at: datetime | None = None
    since: datetime | None = None  # when the clock last started, paused or stopped
    crossed: dict[str, datetime | None] = field(default_factory=lambda: {"warning": None, "breach": None})
    excluded: timedelta = ZERO

    def should_run(self, point: HistoryPoint) -> bool:
        if point.paused:
            return False
        if self.kind == ClockKind.RESPONSE:
            # A response is for good: once the clock stopped it never runs again, even after a reopen.
            return self.stopped_at is None and not (point.responded or point.resolved)
        return not point.resolved

    def stops_at(self, point: HistoryPoint) -> bool:
        if self.kind == ClockKind.RESPONSE:
            return point.responded or point.resolved
        return point.resolved


def _thresholds(target: timedelta) -> dict[str, timedelta]:
    return {"warning": target * WARNING_SHARE, "breach": target}


def clocks_derive(
    points: list[HistoryPoint],
    spec_for: Callable[[int], CalendarSpec],
    target_for: Callable[[int, int, str], timedelta],
    now: datetime | None = None,
) -> dict[str, ClockResult]:
    """Replay the history into the two clocks. `spec_for(sla_id)` gives a CalendarSpec and
    `target_for(sla_id, priority, kind)` a timedelta; both are looked up, never stored, so the clocks
    depend on the history and the agreements alone. `now` only adds a running clock's business time not
    counted for outages since its last point (ClockResult.excluded)."""
    if not points:
        raise ValueError("a ticket's history starts with its logging")
    points = sorted(points, key=lambda p: p.at)
    clocks = {kind: _Clock(kind) for kind in ClockKind.values}
    previous = None
    for point in points:
        for kind, clock in clocks.items():
            if previous is not None and clock.running_since is not None:
                # Count the time since the last point with the calendar and target then in force.
                target = target_for(previous.sla_id, previous.priority, kind)
                _count(clock, spec_for(previous.sla_id), target, clock.running_since, point.at)
                clock.running_since = point.at
            if clock.should_run(point):
                if clock.running_since is None:
                    clock.running_since = clock.since = point.at
                    if kind == ClockKind.RESOLUTION:
                        clock.stopped_at = None  # a reopen resumes the resolution clock
            else:
                if clock.running_since is not None or previous is None:
                    clock.running_since = None
                    clock.since = point.at
                if clock.stops_at(point) and clock.stopped_at is None:
                    clock.stopped_at = clock.since = point.at
            if clock.stopped_at is None:
                # The target in force from now on judges the time already counted: a shorter one (a
                # raised priority) may be used up already, crossed at this instant; a longer one (a
                # lowered priority) undoes a crossing that no longer holds.
                for name, share in _thresholds(target_for(point.sla_id, point.priority, kind)).items():
                    if clock.elapsed >= share:
                        clock.crossed[name] = clock.crossed[name] or point.at
                    else:
                        clock.crossed[name] = None
        previous = point

    last = points[-1]
    spec = spec_for(last.sla_id)
    results = {}
    for kind, clock in clocks.items():
        target = target_for(last.sla_id, last.priority, kind)
        result = ClockResult(
            kind=kind,
            sla_id=last.sla_id,
            priority=last.priority,
            target=target,
            state=ClockState.RUNNING,
            elapsed=clock.elapsed,
            state_since=clock.running_since or clock.since or last.at,
            warned_at=clock.crossed["warning"],
            breached_at=clock.crossed["breach"],
            stopped_at=clock.stopped_at,
            excluded=clock.excluded,
        )
        if clock.running_since is not None:
            if now is not None and spec.excluded:
                result.excluded += _excluded_between(spec, clock.running_since, now)
            result.warn_at = clock.crossed["warning"] or business_add(
                spec, clock.running_since, max(target * WARNING_SHARE - clock.elapsed, ZERO)
            )
            result.due_at = clock.crossed["breach"] or business_add(
                spec, clock.running_since, max(target - clock.elapsed, ZERO)
            )
        else:
            result.state = ClockState.STOPPED if clock.stopped_at is not None else ClockState.PAUSED
        results[kind] = result
    return results


def _count(clock: _Clock, spec: CalendarSpec, target: timedelta, start: datetime, end: datetime) -> None:
    """Add the business time of [start, end) to the clock, noting when it crossed 75 % and 100 %."""
    before = clock.elapsed
    counted = business_between(spec, start, end)
    clock.elapsed += counted
    if spec.excluded:
        clock.excluded += _excluded_between(spec, start, end, counted)
    for name, share in _thresholds(target).items():
        if clock.crossed[name] is None and before < share <= clock.elapsed:
            clock.crossed[name] = business_add(spec, start, share - before)


def _excluded_between(
    spec: CalendarSpec, start: datetime, end: datetime, counted: timedelta | None = None
) -> timedelta:
    """The business time of [start, end) that the spec's windows of unavailability took out."""
    if end <= start:
        return ZERO
    if counted is None:
        counted = business_between(spec, start, end)
    return business_between(replace(spec, excluded=()), start, end) - counted


# --- storing ---------------------------------------------------------------------------------------------


def _spec_for(sla_id: int) -> CalendarSpec:
    return calendar_spec(ServiceLevelAgreement.objects.values_list("calendar_id", flat=True).get(pk=sla_id))


def _site_spec_for(site_id: int | None, since: datetime) -> Callable[[int], CalendarSpec]:
    """The agreement's calendar less the windows when the ticket's site was down, as its policy says."""

    def spec_for(sla_id: int) -> CalendarSpec:
        calendar_id, policy = ServiceLevelAgreement.objects.values_list(
            "calendar_id", "pause_for_outages"
        ).get(pk=sla_id)
        windows = site_windows(site_id, policy, since)
        return with_windows(calendar_spec(calendar_id), [(w.start, w.end) for w in windows])

    return spec_for


def _target_for(sla_id: int, priority: int, kind: str) -> timedelta:
    response, resolution = target_minutes(sla_id, priority)
    return timedelta(minutes=response if kind == ClockKind.RESPONSE else resolution)


@transaction.atomic
def clocks_update(
    *, ticket_id: int, points: list[HistoryPoint], site_id: int | None = None
) -> dict[str, ClockResult]:
    """Derive the ticket's clocks from its history (and the outages of its site, slas.unavailability) and
    store them; returns them (incidents copies the due times onto the ticket). Warnings and breaches
    already recorded are not looked at again."""
    # Each agreement and target read once per derivation (a replay asks for them at every point).
    spec_for = _site_spec_for(site_id, min(p.at for p in points)) if site_id is not None else _spec_for
    results = clocks_derive(
        points, functools.cache(spec_for), functools.cache(_target_for), now=timezone.now()
    )
    # Escalations that no longer apply (a longer target, a priority lowered) are cleared so they can fire
    # again when really due; only where the deadline moved later, so a plain recalculation keeps every
    # recorded warning and breach (and its recorded_at) as it was.
    for kind, result in results.items():
        if result.state == ClockState.RUNNING:
            for event_kind, crossed, due in (
                (SlaEvent.Kind.WARNING, result.warned_at, result.warn_at),
                (SlaEvent.Kind.BREACH, result.breached_at, result.due_at),
            ):
                if crossed is None and due is not None:
                    SlaEvent.objects.filter(
                        ticket_id=ticket_id, clock=kind, kind=event_kind, due_at__lt=due
                    ).delete()
    recorded = set(SlaEvent.objects.filter(ticket_id=ticket_id).values_list("clock", "kind"))
    for kind, result in results.items():
        next_event = None
        if result.state == ClockState.RUNNING:
            if (kind, SlaEvent.Kind.WARNING) not in recorded:
                next_event = result.warn_at
            elif (kind, SlaEvent.Kind.BREACH) not in recorded:
                next_event = result.due_at
        SlaClock.objects.update_or_create(
            ticket_id=ticket_id,
            kind=kind,
            defaults={
                "sla_id": result.sla_id,
                "priority": result.priority,
                "target_minutes": int(result.target.total_seconds() // 60),
                "state": result.state,
                "elapsed_seconds": int(result.elapsed.total_seconds()),
                "state_since": result.state_since,
                "due_at": result.due_at,
                "warn_at": result.warn_at,
                "breached_at": result.breached_at,
                "stopped_at": result.stopped_at,
                "next_event_at": next_event,
            },
        )
    return results
