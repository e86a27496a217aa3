"""The bridge from a ticket's history to its SLA clocks (slas.clocks).

The clocks are derived, never patched: after every change that matters to them (status, priority,
SLA, first response) the ticket's whole history is turned into HistoryPoints and replayed, and the due
times are copied onto the ticket for the queues. Also the receiver of slas' one hook: a warning or
breach recorded by the beat sweep is mailed from here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction

from slas.clocks import HistoryPoint, clocks_update
from slas.models import ClockKind
from slas.operational import Holding, agreements_by_party, operational_clocks_update

from . import hooks
from .models import Status, Ticket, TicketEvent

CLOCK_EVENTS = (
    TicketEvent.Kind.LOGGED,
    TicketEvent.Kind.STATUS,
    TicketEvent.Kind.PRIORITY,
    TicketEvent.Kind.SLA,
    TicketEvent.Kind.RESPONDED,
)


HOLDING_EVENTS = (TicketEvent.Kind.GROUP, TicketEvent.Kind.ASSIGNED, TicketEvent.Kind.SUPPLIER)
STOPPED = (Status.RESOLVED, Status.CLOSED)


@dataclass
class _State:
    """What was true of the ticket after one instant of its history."""

    at: datetime | None = None
    status: str = Status.NEW
    priority: int | None = None
    sla_id: int | None = None
    responded: bool = False
    group: str = ""  # history names the group and supplier (their names are unique)
    supplier: str = ""
    assigned: bool = False
    moves_clock: bool = False  # an event the SLA clocks count happened at this instant


def history_points(ticket: Ticket) -> list[HistoryPoint]:
    """The ticket's history as the SLA clocks see it: one point per event that changes what they count."""
    return _sla_points(_timeline(ticket))


def _timeline(ticket: Ticket) -> list[_State]:
    """The ticket's state after each instant of its history that matters to any clock, oldest first."""
    events = list(
        TicketEvent.objects.filter(ticket_id=ticket.pk, kind__in=CLOCK_EVENTS + HOLDING_EVENTS)
        .order_by("at", "pk")
        .values_list("kind", "field", "old_value", "new_value", "at")
    )
    group_moves = [event for event in events if event[0] == TicketEvent.Kind.GROUP]
    # Tickets logged before the logging recorded the first group: the first move names where it came from.
    first_group = group_moves[0][2] if group_moves else (ticket.group.name if ticket.group_id else "")
    state = _State(group=first_group)
    states: list[_State] = []
    for kind, field, _old, new_value, at in events:
        # Several events of one change make one instant: the state after all of them.
        state = states.pop() if states and states[-1].at == at else replace(state, at=at, moves_clock=False)
        if kind in (TicketEvent.Kind.LOGGED, TicketEvent.Kind.STATUS):
            state.status = new_value
        elif kind == TicketEvent.Kind.PRIORITY:
            if field != "priority":
                continue
            state.priority = int(new_value.lstrip("P"))
        elif kind == TicketEvent.Kind.SLA:
            state.sla_id = int(new_value) if new_value else None
        elif kind == TicketEvent.Kind.RESPONDED:
            state.responded = True
        elif kind == TicketEvent.Kind.GROUP:
            state.group = new_value
        elif kind == TicketEvent.Kind.SUPPLIER:
            state.supplier = new_value
        elif kind == TicketEvent.Kind.ASSIGNED:
            state.assigned = bool(new_value)
        state.moves_clock = state.moves_clock or kind in CLOCK_EVENTS
        states.append(state)
    return [state for state in states if state.priority is not None]


def _sla_points(states: list[_State]) -> list[HistoryPoint]:
    return [
        HistoryPoint(
            at=state.at,
            sla_id=state.sla_id,
            priority=state.priority,
            paused=state.status == Status.PENDING,
            resolved=state.status in STOPPED,
            responded=state.responded,
        )
        for state in states
        # the logging events arrive together; the clocks start once the SLA is known
        if state.moves_clock and state.sla_id is not None
    ]


def holdings(states: list[_State]) -> list[Holding]:
    """Who held the ticket when: a support group under an OLA, a supplier under an underpinning contract
    (the rules of each clock: slas/operational.py)."""
    groups, suppliers = agreements_by_party()
    if not (groups or suppliers):
        return []
    found: list[Holding] = []
    for party, agreements in (("group", groups), ("supplier", suppliers)):
        current: dict | None = None
        for state in states:
            holder = getattr(state, party)
            if current is not None and holder != current["holder"]:
                # Handed over (or back): the holding's clocks stop here.
                end = HistoryPoint(
                    at=state.at, sla_id=current["agreement"], priority=state.priority, resolved=True
                )
                found.append(_holding(current, end))
                current = None
            if current is None and holder in agreements:
                current = {"holder": holder, "agreement": agreements[holder], "points": [], "taken": False}
            if current is None:
                continue
            if party == "group":
                current["taken"] = current["taken"] or state.assigned
                point = HistoryPoint(
                    at=state.at,
                    sla_id=current["agreement"],
                    priority=state.priority,
                    paused=state.status == Status.PENDING,
                    resolved=state.status in STOPPED,
                    responded=current["taken"],
                )
            else:  # a supplier's time is never paused: waiting on it is what the contract is about
                point = HistoryPoint(
                    at=state.at,
                    sla_id=current["agreement"],
                    priority=state.priority,
                    resolved=state.status in STOPPED,
                )
            current["points"].append(point)
        if current is not None:
            found.append(_holding(current, None))
    return found


def _holding(current: dict, end: HistoryPoint | None) -> Holding:
    points = current["points"] + ([end] if end is not None else [])
    return Holding(
        agreement_id=current["agreement"],
        started_at=points[0].at,
        ended_at=end.at if end is not None else None,
        points=tuple(points),
    )


def ticket_clocks_refresh(ticket: Ticket) -> None:
    """Re-derive the ticket's SLA clocks (and its OLA and underpinning-contract clocks) from its history
    and copy the SLA due times onto it."""
    states = _timeline(ticket)
    operational_clocks_update(ticket_id=ticket.pk, holdings=holdings(states))
    points = _sla_points(states)
    if not points:
        return  # no SLA covers it (no default SLA set): nothing to count against
    clocks = clocks_update(ticket_id=ticket.pk, points=points, site_id=ticket.site_id)
    ticket.response_due_at = clocks[ClockKind.RESPONSE].due_at
    ticket.resolution_due_at = clocks[ClockKind.RESOLUTION].due_at
    ticket.outage_paused_minutes = int(clocks[ClockKind.RESOLUTION].excluded.total_seconds() // 60)
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due_at=ticket.response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        outage_paused_minutes=ticket.outage_paused_minutes,
    )


def ticket_operational_refresh(ticket: Ticket) -> None:
    """Re-derive only the ticket's OLA and supplier-contract clocks (for history loaded in bulk, whose SLA
    clocks were derived already)."""
    operational_clocks_update(ticket_id=ticket.pk, holdings=holdings(_timeline(ticket)))


def tickets_recalculate(
    *, sla_ids: list[int] | None = None, site_ids: list[int] | None = None, batch: int = 200
) -> int:
    """Re-derive the clocks of open tickets under the given SLAs (all open tickets when None), or at the
    given sites (an outage there was recorded or changed), after an agreement or calendar changed.
    Batches keep each transaction short."""
    from slas.calendars import forget_calendars

    from .models import OPEN_STATUSES

    forget_calendars()  # this worker's cached calendars may predate the edit that queued this
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    if sla_ids is not None:
        tickets = tickets.filter(sla_id__in=sla_ids)
    if site_ids is not None:
        tickets = tickets.filter(site_id__in=site_ids)
    ids = list(tickets.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            for ticket in (
                Ticket.objects.filter(pk__in=ids[start : start + batch]).order_by("pk").select_for_update()
            ):
                ticket_clocks_refresh(ticket)
                hooks.ticket_changed.send(sender=Ticket, ticket=ticket)
    return len(ids)


RECALCULATION_LOST_AFTER = timedelta(minutes=30)  # longer than any recalculation takes (100k open: ~10 min)


def clocks_recalculate_requested(*, now: datetime | None = None) -> int:
    """Do every waiting recalculation request (slas.models.ClockRecalculation) in one pass: the requests
    are claimed together, their agreements merged, the open tickets recalculated once and the requests
    marked done. A request claimed by a worker that died is taken again after RECALCULATION_LOST_AFTER;
    recalculating twice gives the same clocks. Returns the number of tickets recalculated."""
    from django.db.models import Q
    from django.utils import timezone

    from slas.models import ClockRecalculation

    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            ClockRecalculation.objects.select_for_update(skip_locked=True)
            .filter(finished_at__isnull=True)
            .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - RECALCULATION_LOST_AFTER))
        )
        if not claimed:
            return 0
        ClockRecalculation.objects.filter(pk__in=[r.pk for r in claimed]).update(started_at=now)
    by_site = [request for request in claimed if request.site_ids is not None]
    by_sla = [request for request in claimed if request.site_ids is None]
    count = 0
    everything = any(request.sla_ids is None for request in by_sla)
    if by_sla:
        sla_ids = None if everything else sorted({pk for request in by_sla for pk in request.sla_ids})
        count += tickets_recalculate(sla_ids=sla_ids)
    if by_site and not everything:  # every open ticket was recalculated already
        count += tickets_recalculate(site_ids=sorted({pk for request in by_site for pk in request.site_ids}))
    ClockRecalculation.objects.filter(pk__in=[r.pk for r in claimed]).update(
        finished_at=timezone.now(), tickets=count
    )
    return count
