from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Outage

RECENT = timedelta(days=14)
UPCOMING = timedelta(days=14)
SHOWN = 50


def _rows() -> QuerySet[Outage]:
    return Outage.objects.select_related("site", "asset", "service", "supplier", "major_incident")


def outages_now_and_next() -> dict[str, list[Outage]]:
    """The outages page: what is down now, what is planned (load-shedding, maintenance) in the next two
    weeks, and what ended in the last two; at most SHOWN of each."""
    now = timezone.now()
    return {
        "current": list(
            _rows()
            .filter(started_at__lte=now)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
            .order_by("started_at")[:SHOWN]
        ),
        "upcoming": list(
            _rows().filter(started_at__gt=now, started_at__lte=now + UPCOMING).order_by("started_at")[:SHOWN]
        ),
        "ended": list(
            _rows().filter(ended_at__lte=now, ended_at__gt=now - RECENT).order_by("-ended_at")[:SHOWN]
        ),
    }
