"""Small reads that only the ticket pages need (pick-lists, a rating link's ticket, a major incident's
children). Anything that decides who may see a ticket still comes from permissions.visible_tickets.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from sites.models import Asset

from .models import OPEN_STATUSES, SavedFilter, Ticket
from .permissions import SUPPORT_ROLES, visible_tickets


def support_people() -> QuerySet:
    """Active people on the ICT service desk (technicians, the ICT manager, admins): who may be assigned."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=SUPPORT_ROLES) | Q(is_superuser=True), is_active=True)
        .select_related("site")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def possible_requesters() -> QuerySet:
    """Everyone the service desk may log a ticket for, with their usual site (the form's default)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("site")
        .order_by("first_name", "last_name", "username")
    )


def tickets_by_pk(user, pks: list[int]) -> list[Ticket]:
    """The visible, open tickets among `pks`, oldest first (a major incident's parent is the first)."""
    return list(
        visible_tickets(user).filter(pk__in=pks, status__in=OPEN_STATUSES).order_by("created_at", "pk")
    )


def major_incident_children(user, ticket: Ticket) -> QuerySet[Ticket]:
    return (
        visible_tickets(user)
        .filter(parent=ticket)
        .select_related("requester", "site", "assignee", "group")
        .order_by("created_at", "pk")
    )


def ticket_for_rating(pk: int) -> Ticket | None:
    """The ticket a signed rating link names, with its rating; the signature is the permission."""
    return Ticket.objects.select_related("rating").filter(pk=pk).first()


def saved_filters(user) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")


def asset_for_label(asset_tag: str) -> Asset | None:
    """The asset with this tag (any case), with its site and building: a ticket logged from its label
    starts at its site and says which device it is (Asset.where)."""
    return (
        Asset.objects.select_related("site", "building").filter(asset_tag=asset_tag.strip().upper()).first()
    )
