"""Who may see or change a ticket: the one queryset scope used by pages, API, exports and search alike.

Which roles are the ICT service desk is the access table's action "ticket.work" (common/access.py); this
module says which rows each side sees."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from common import access

from .models import Attachment, Comment, Ticket

# The roles that work tickets, for queries over people ("everyone who may be assigned a ticket").
SUPPORT_ROLES = access.roles_with("actions", "ticket.work")
M = TypeVar("M", bound=Model)


def is_support(user) -> bool:
    """Technicians, the ICT manager and admins work tickets and see internal notes."""
    return access.may(user, "ticket.work")


def visible_tickets(user) -> QuerySet[Ticket]:
    """Every ticket the user may see: support sees all; anyone else only the tickets they requested."""
    if not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    if is_support(user):
        return Ticket.objects.all()
    return Ticket.objects.filter(requester=user)


def for_audience(user, rows: QuerySet[M]) -> QuerySet[M]:
    """Comments, files or history events as `user` may see them: internal ones (internal notes, their
    files, group moves) only for the ICT service desk. The one rule for internal visibility."""
    return rows if is_support(user) else rows.filter(internal=False)


def visible_comments(user, ticket: Ticket) -> QuerySet[Comment]:
    return for_audience(user, Comment.objects.filter(ticket=ticket))


def visible_attachments(user) -> QuerySet[Attachment]:
    """Attachments of visible tickets; internal ones (on internal notes) only for support."""
    return for_audience(user, Attachment.objects.filter(ticket__in=visible_tickets(user)))


def party_of(user, ticket: Ticket) -> str | None:
    """How the user stands to the ticket for the lifecycle table: support, requester, or neither."""
    from .lifecycle import REQUESTER, SUPPORT

    if is_support(user):
        return SUPPORT
    if ticket.requester_id == getattr(user, "pk", None):
        return REQUESTER
    return None
