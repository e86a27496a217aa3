"""The bridge from a ticket's history to its SLA clocks (slas.clocks).

The clocks are derived, never patched: after every change that matters to them (status, priority,
SLA, first response) the ticket's whole history is turned into HistoryPoints and replayed, and the due
times are copied onto the ticket for the queues. Also the receiver of slas' one hook: a warning or
breach recorded by the beat sweep is mailed from here.
"""

from __future__ import annotations

from django.db import transaction

from slas.clocks import HistoryPoint, clocks_update
from slas.models import ClockKind

from .models import Status, Ticket, TicketEvent

CLOCK_EVENTS = (
    TicketEvent.Kind.LOGGED,
    TicketEvent.Kind.STATUS,
    TicketEvent.Kind.PRIORITY,
    TicketEvent.Kind.SLA,
    TicketEvent.Kind.RESPONDED,
)


def history_points(ticket: Ticket) -> list[HistoryPoint]:
    """The ticket's history as the clocks see it: one point per event that changes what they count."""
    state = {"status": Status.NEW, "priority": None, "sla_id": None, "responded": False}
    points: list[HistoryPoint] = []
    events = (
        TicketEvent.objects.filter(ticket_id=ticket.pk, kind__in=CLOCK_EVENTS)
        .order_by("at", "pk")
        .values_list("kind", "field", "new_value", "at")
    )
    for kind, field, new_value, at in events:
        if kind in (TicketEvent.Kind.LOGGED, TicketEvent.Kind.STATUS):
            state["status"] = new_value
        elif kind == TicketEvent.Kind.PRIORITY and field == "priority":
            state["priority"] = int(new_value.lstrip("P"))
        elif kind == TicketEvent.Kind.SLA:
            state["sla_id"] = int(new_value) if new_value else None
        elif kind == TicketEvent.Kind.RESPONDED:
            state["responded"] = True
        else:
            continue
        if state["priority"] is None or state["sla_id"] is None:
            continue  # the logging events arrive together; the clocks start once all are known
        point = HistoryPoint(
            at=at,
            sla_id=state["sla_id"],
            priority=state["priority"],
            paused=state["status"] == Status.PENDING,
            resolved=state["status"] in (Status.RESOLVED, Status.CLOSED),
            responded=state["responded"],
        )
        if points and points[-1].at == at:
            points[-1] = point  # several events of one change: the state after all of them
        else:
            points.append(point)
    return points


def ticket_clocks_refresh(ticket: Ticket) -> None:
    """Re-derive the ticket's clocks from its history and copy the due times onto it."""
    points = history_points(ticket)
    if not points:
        return  # no SLA covers it (no default SLA set): nothing to count against
    clocks = clocks_update(ticket_id=ticket.pk, points=points)
    ticket.response_due_at = clocks[ClockKind.RESPONSE].due_at
    ticket.resolution_due_at = clocks[ClockKind.RESOLUTION].due_at
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due_at=ticket.response_due_at, resolution_due_at=ticket.resolution_due_at
    )


def tickets_recalculate(*, sla_ids: list[int] | None = None, batch: int = 200) -> int:
    """Re-derive the clocks of open tickets under the given SLAs (all open tickets when None), after an
    agreement or calendar changed. Batches keep each transaction short."""
    from slas.calendars import forget_calendars

    from .models import OPEN_STATUSES

    forget_calendars()  # this worker's cached calendars may predate the edit that queued this
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    if sla_ids is not None:
        tickets = tickets.filter(sla_id__in=sla_ids)
    ids = list(tickets.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            for ticket in (
                Ticket.objects.filter(pk__in=ids[start : start + batch]).order_by("pk").select_for_update()
            ):
                ticket_clocks_refresh(ticket)
    return len(ids)
