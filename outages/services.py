"""Recording outages, and what follows from one: the clocks of the open tickets at its site are derived
again (slas.models.ClockRecalculation, a row in the same transaction, so nothing is lost if the worker or
Redis is down), and a major incident can become an outage in one step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from common.queueing import enqueue_on_commit
from incidents import services as ticket_services
from incidents.models import OPEN_STATUSES, ResolutionCode, Status, Ticket
from incidents.permissions import is_support, visible_tickets
from slas.models import ClockRecalculation

from .models import SITE_SCOPES, Outage, OutageCause, OutageKind, OutageScope, OutageSource

EDITABLE = (
    "scope",
    "kind",
    "cause",
    "detail",
    "site",
    "asset",
    "service",
    "supplier",
    "major_incident",
    "started_at",
    "ended_at",
    "expected_end_at",
)


def _recalculate_sites(*site_ids: int | None) -> None:
    """Ask for the clocks of the open tickets at these sites to be derived again (after commit)."""
    from incidents.tasks import recalculate_clocks

    from .banner import banner_forget

    transaction.on_commit(banner_forget)
    ids = sorted({pk for pk in site_ids if pk is not None})
    if ids:
        ClockRecalculation.objects.create(site_ids=ids)
        enqueue_on_commit(recalculate_clocks)


def _check(outage: Outage) -> None:
    link = outage.asset if outage.scope == OutageScope.LINK else None
    if link is not None and outage.site_id is None:
        # A link is recorded at the site it serves (its far end is the hub it reaches): that site is cut off.
        outage.site_id = link.site_id
    if link is not None and not link.is_link:
        raise ValidationError({"asset": "Only a network link can be the link that is down."})
    if link is not None and outage.site_id not in (
        link.site_id,
        link.far_site_id,
    ):
        raise ValidationError({"site": "The site cut off must be one of the link's two ends."})
    if outage.kind == OutageKind.LOAD_SHEDDING and outage.scope not in (OutageScope.POWER, OutageScope.SITE):
        raise ValidationError({"kind": "Load-shedding cuts a site's power: choose the site's power."})
    outage.full_clean(validate_unique=False)


@transaction.atomic
def outage_record(*, by=None, **fields: Any) -> Outage:
    """A new outage, checked; the clocks of the site's open tickets are derived again."""
    fields.setdefault("started_at", timezone.now())
    outage = Outage(recorded_by=by, **fields)
    _check(outage)
    outage.save()
    _recalculate_sites(outage.site_id)
    if outage_calls_for_major_incident(outage):
        outage_opened(outage, by=by)
    return outage


@transaction.atomic
def outage_correct(outage: Outage, *, by=None, **changes: Any) -> Outage:
    """Change what was recorded (a start time corrected, an expected end moved, the outage ended). The
    clocks of both the old and the new site's open tickets are derived again."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    before_site = outage.site_id
    for name, value in changes.items():
        setattr(outage, name, value)
    _check(outage)
    outage.save()
    _recalculate_sites(before_site, outage.site_id)
    return outage


def outage_end(outage: Outage, *, at: datetime | None = None, by=None) -> Outage:
    at = at or timezone.now()
    outage = Outage.objects.get(pk=outage.pk)  # a stale copy must not end it a second time
    if outage.ended_at is not None:
        return outage  # ended already: ending it again (a resent "resolved" alert) changes nothing
    if at <= outage.started_at:
        raise ValidationError({"ended_at": "An outage ends after it starts."})
    return outage_correct(outage, by=by, ended_at=at)


@transaction.atomic
def outage_from_major_incident(ticket: Ticket, *, by=None, cause: str = OutageCause.OTHER) -> Outage:
    """ "This is an outage": the major incident's site unavailable since the ticket was logged."""
    if not ticket.is_major:
        raise ValidationError("Only a major incident can be recorded as an outage.")
    if ticket.site_id is None:
        raise ValidationError("The major incident names no site: set its site first.")
    existing = Outage.objects.filter(major_incident=ticket, ended_at__isnull=True).first()
    if existing is not None:
        return existing
    return outage_record(
        by=by,
        scope=OutageScope.SITE,
        kind=OutageKind.UNPLANNED,
        cause=cause,
        site_id=ticket.site_id,
        started_at=ticket.created_at,
        major_incident=ticket,
        detail=ticket.summary,
        source=OutageSource.DESK,
    )


def open_outages_refresh() -> int:
    """Beat: the open outages' sites get their clocks derived again, so an outage without a known end keeps
    its tickets' due times moving with it. Returns the number of sites."""
    site_ids = list(
        Outage.objects.filter(ended_at__isnull=True, site__isnull=False)
        .values_list("site_id", flat=True)
        .distinct()
    )
    if site_ids:
        with transaction.atomic():
            _recalculate_sites(*site_ids)
    return len(site_ids)


# --- the major incident of an outage, and its tickets ------------------------------------------------------


def outage_calls_for_major_incident(outage: Outage) -> bool:
    """An unplanned outage of a site, its power or a link, still open: the site's major incident."""
    return (
        outage.kind == OutageKind.UNPLANNED
        and outage.scope in SITE_SCOPES
        and outage.site_id is not None
        and outage.ended_at is None
    )


def outage_open_tickets(outage: Outage) -> QuerySet[Ticket]:
    """The outage's linked tickets still open, oldest first (a major incident's parent is the first)."""
    return outage.tickets.filter(status__in=OPEN_STATUSES).order_by("created_at", "pk")


def _tickets_logged_since(outage: Outage) -> QuerySet[Ticket]:
    if outage.site_id is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(
        site_id=outage.site_id, status__in=OPEN_STATUSES, created_at__gte=outage.started_at
    ).filter(Q(parent__isnull=True) | Q(parent_id=outage.major_incident_id))


def outage_opened(outage: Outage, *, by=None) -> int:
    """An unplanned outage of a site or link opened: link the open tickets logged there since it started,
    and, as OUTAGES_MAJOR_INCIDENT says, leave the major incident proposed on the outages page ("propose")
    or open it at once ("open"). Returns the number of tickets linked."""
    tickets = list(_tickets_logged_since(outage))
    outage.tickets.add(*tickets)
    # A major incident named already (the desk's "this is an outage") takes the tickets under it at once.
    if outage.major_incident_id or (settings.OUTAGES_MAJOR_INCIDENT == "open" and tickets):
        outage_major_incident_open(outage, by=by if is_support(by) else None)
    return len(tickets)


@transaction.atomic
def outage_major_incident_open(outage: Outage, *, by=None) -> Ticket | None:
    """Open the outage's major incident (incidents.services.major_incident_link): its own, if it has one,
    else the oldest open ticket linked to it; the other linked tickets go under it. `by` None: the system,
    on the desk's standing order (OUTAGES_MAJOR_INCIDENT=open). None when no ticket is linked."""
    if by is not None and not is_support(by):
        raise PermissionDenied("Only the ICT service desk opens a major incident.")
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    tickets = list(outage_open_tickets(outage))
    parent = outage.major_incident
    if parent is None or not parent.is_open:
        parent = next((t for t in tickets if t.parent_id is None), None)
    if parent is None:
        return None
    children = [t for t in tickets if t.pk != parent.pk and t.parent_id in (None, parent.pk)]
    ticket_services.major_incident_link(parent=parent, children=children, by=by)
    outage.tickets.add(parent)
    if outage.major_incident_id != parent.pk:
        outage.major_incident = parent
        outage.save(update_fields=["major_incident", "updated_at"])
    return parent


def outage_ticket_logged(ticket: Ticket) -> Ticket | None:
    """A ticket logged at a site while an outage covers it (web, API or mail): linked to the outage, and
    under its major incident when that is open. Returns that major incident, if the ticket went under it."""
    at = ticket.created_at
    outage = (
        Outage.objects.filter(site_id=ticket.site_id, scope__in=SITE_SCOPES, started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .select_related("major_incident")
        # An unplanned outage (with its major incident) before a load-shedding window or planned work.
        .annotate(rank=Case(When(kind=OutageKind.UNPLANNED, then=Value(0)), default=Value(1)))
        .order_by("rank", "started_at", "pk")
        .first()
    )
    if outage is None:
        return None
    outage.tickets.add(ticket)
    parent = outage.major_incident
    if parent is None or not parent.is_open or parent.pk == ticket.pk or parent.parent_id is not None:
        return None
    ticket_services.major_incident_link(parent=parent, children=[ticket], by=None)
    return parent


def on_ticket_recorded(sender, *, ticket: Ticket, **kwargs: Any) -> bool:
    """incidents.hooks.ticket_recorded: sent by incidents.services.ticket_log for every channel. True when
    the ticket went under a major incident (its row changed, so the caller reads it again)."""
    return outage_ticket_logged(ticket) is not None


@transaction.atomic
def outage_tickets_resolve(outage: Outage, *, by, message: str) -> int:
    """Closing an outage: its linked tickets that `by` may see and are still open are resolved with one
    message, each through incidents.services.ticket_change_status (its history row, its clocks, the
    requester's mail); the major incident first, which resolves its children. Returns how many."""
    if not is_support(by):
        raise PermissionDenied("Only the ICT service desk resolves tickets.")
    if not message.strip():
        raise ValidationError({"message": "Write what was done, in words the requesters understand."})
    outage = Outage.objects.get(pk=outage.pk)
    if outage.ended_at is None:
        raise ValidationError({"message": "End the outage first: its tickets are resolved when it is over."})
    mine = visible_tickets(by).filter(pk__in=outage_open_tickets(outage).values("pk"))
    ids = list(mine.order_by("created_at", "pk").values_list("pk", flat=True))
    if outage.major_incident_id in ids:
        ids.remove(outage.major_incident_id)
        ids.insert(0, outage.major_incident_id)
    resolved = 0
    for pk in ids:
        ticket = Ticket.objects.get(pk=pk)
        if ticket.status not in OPEN_STATUSES:
            continue  # resolved with its major incident a moment ago
        children_before = ticket.children.filter(status__in=OPEN_STATUSES).count()
        ticket_services.ticket_change_status(
            ticket=ticket,
            to=Status.RESOLVED,
            by=by,
            resolution_code=ResolutionCode.FIXED,
            resolution_note=message.strip(),
            note=f"resolved with {outage.reference}",
        )
        resolved += 1 + children_before
    return resolved
