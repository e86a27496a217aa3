"""What changes adds to incidents' ticket page and JSON ("caused by change CHG-..."), through
incidents.ticket_extensions (the hook). Registered by ChangesConfig.ready; incidents never imports changes.

The ticket page's panel costs no query: the change that caused the ticket comes in the page's own ticket
query as one JSON column (`page_annotations`), read by the panel."""

from __future__ import annotations

from django.db.models import IntegerField, JSONField, OuterRef, Subquery, Value
from django.db.models.functions import JSONObject

from common import access
from incidents.models import Ticket
from incidents.ticket_extensions import Panel
from incidents.ticket_extensions import register as register_extension

from .models import Change, ChangeStatus, reference_for

CausedBy = Change.caused_incidents.through


def _caused_by(ticket_ref) -> Subquery:
    return Subquery(
        CausedBy.objects.filter(ticket_id=ticket_ref)
        .order_by("change_id")
        .values(json=JSONObject(id="change_id", summary="change__summary", status="change__status"))[:1],
        output_field=JSONField(),
    )


def page_annotations(user) -> dict:
    """The ticket page's query also reads the change that caused the ticket (for the desk only)."""
    if not access.may(user, "change.work"):
        return {}
    return {"caused_by_change_row": _caused_by(OuterRef("pk"))}


def ticket_panel(user, ticket) -> Panel | None:
    """The "Caused by a change" panel: the change and the form to name one. Desk only, incidents only."""
    if not access.may(user, "change.work") or ticket.kind != "incident":
        return None
    if hasattr(ticket, "caused_by_change_row"):
        row = ticket.caused_by_change_row
    else:  # a ticket read some other way than the page's query: one query
        row = Ticket.objects.filter(pk=ticket.pk).values_list(_caused_by(ticket.pk), flat=True).first()
    change = None
    if row:
        change = {
            "id": row["id"],
            "reference": reference_for(row["id"]),
            "summary": row["summary"],
            "status_label": ChangeStatus(row["status"]).label,
        }
    return Panel("changes/includes/caused_by_panel.html", {"change": change})


def annotations(user) -> dict:
    """The ticket JSON's `caused_by_change`: the change's id for those who may read changes, else null."""
    if not access.may(user, "change.view"):
        return {"caused_by_change": Value(None, output_field=IntegerField())}
    return {
        "caused_by_change": Subquery(
            CausedBy.objects.filter(ticket_id=OuterRef("pk")).order_by("change_id").values("change_id")[:1]
        )
    }


def register() -> None:
    register_extension(
        "changes", ticket_panel=ticket_panel, annotations=annotations, page_annotations=page_annotations
    )
