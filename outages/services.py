"""Recording outages, and what follows from one: the clocks of the open tickets at its site are derived
again (slas.models.ClockRecalculation, a row in the same transaction, so nothing is lost if the worker or
Redis is down), and a major incident can become an outage in one step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.queueing import enqueue_on_commit
from incidents.models import Ticket
from slas.models import ClockRecalculation

from .models import Outage, OutageCause, OutageKind, OutageScope, OutageSource

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
