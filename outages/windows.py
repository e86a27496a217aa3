"""The outages as windows of unavailability, for the SLA clocks (registered with slas.unavailability)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from slas.unavailability import UnavailableWindow

from .models import SITE_SCOPES, Outage


def outage_window_end(outage: Outage, now: datetime) -> datetime:
    """Where an outage's window ends: its end; while it lasts, its expected end (or now, if that has passed
    or is not known). An open outage is re-read every few minutes (outages.tasks), so the clocks move on."""
    if outage.ended_at is not None:
        return outage.ended_at
    return max(outage.expected_end_at or now, now)


def site_windows_source(site_id: int, kinds: frozenset[str], since: datetime) -> list[UnavailableWindow]:
    now = timezone.now()
    outages = (
        Outage.objects.filter(site_id=site_id, scope__in=SITE_SCOPES, kind__in=kinds)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since))
        .select_related("site")
        .order_by("started_at")
    )
    return [
        UnavailableWindow(
            start=outage.started_at,
            end=outage_window_end(outage, now),
            kind=outage.kind,
            label=f"{outage.reference} {outage.title}",
        )
        for outage in outages
    ]
