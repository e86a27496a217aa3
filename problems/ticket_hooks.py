"""What problems adds to incidents' pages and JSON, through incidents.ticket_extensions (the hook)."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Subquery, Value

from common import access
from incidents.ticket_extensions import Panel
from incidents.ticket_extensions import register as register_extension

from . import selectors
from .models import IncidentLink


def ticket_panel(user, ticket) -> Panel | None:
    """The ticket page's problem panel: its problem, or the known errors that may fit it and the form to
    link it. For the service desk only (two queries: the link, the known errors)."""
    if not access.may(user, "problem.work") or ticket.kind != "incident":
        return None
    problem, known_errors = selectors.ticket_problems(ticket)
    return Panel(
        "problems/includes/ticket_panel.html",
        {"problem": problem, "known_errors": known_errors, "ticket_is_open": ticket.is_open},
    )


def queue_panel(user) -> Panel | None:
    if not access.may(user, "problem.work"):
        return None
    return Panel("problems/includes/queue_link.html")


def annotations(user) -> dict:
    """The ticket JSON's `problem`: the id for the service desk, null for anyone else (staff never learn
    that a problem exists)."""
    if not access.may(user, "problem.work"):
        return {"problem": Value(None, output_field=IntegerField())}
    return {"problem": Subquery(IncidentLink.objects.filter(ticket=OuterRef("pk")).values("problem_id")[:1])}


def register() -> None:
    register_extension(
        "problems", ticket_panel=ticket_panel, queue_panel=queue_panel, annotations=annotations
    )
