"""What reports learns from incidents (incidents/hooks.py): a ticket changed, so the ended months it counts
in are stale (reports.stored_months.months_mark, in the changing transaction)."""

from __future__ import annotations

from django.utils import timezone

from . import stored_months


def ticket_changed(sender, ticket, **kwargs) -> None:
    """Mark stale every ended month from the ticket's logging to its close (to now while it is not
    closed: it counts in each month's backlog, breakdowns by its current site, group and priority, and its
    resolution month's figures). A ticket logged this month marks nothing (beat recounts this month), so
    most changes cost no query."""
    now = timezone.now()
    last = ticket.closed_at if ticket.closed_at and ticket.status == "closed" else now
    stored_months.months_mark(stored_months.ended_months_between(ticket.created_at, last, now), now)


def connect() -> None:
    from incidents.hooks import ticket_changed as signal

    signal.connect(ticket_changed, dispatch_uid="reports.ticket_changed")
