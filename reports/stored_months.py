"""The headline figures of ended months, kept for a few minutes so the trend is not recounted per request.

The dashboard and GET /api/reports/kpis/ show six months of headline figures. Five of them (six for a
chosen past month) have ended; their figures change only when something late touches them (a rating, a
reopen, a withdrawal), yet counting them is most of the page's time at 100,000 tickets. So they are kept
in a table (StoredMonthFigures), one row per month and scope, and used for STORED_MONTH_SECONDS after
they were counted (10 minutes by default; `REPORTS_STORED_MONTH_SECONDS` in settings changes it). This
month so far and the comparable stretch of last month are always counted live. The monthly report build
never reads this table: a tabled report is counted fresh (kpis.month_report(stored=False), the default).

Why a table and not Django's cache: every gunicorn worker shares it (a per-process memory cache would be
counted again by each worker), it survives a restart, it needs no new service, and it rolls back with the
transaction it was written in (tests and bench leave nothing behind). docs/kpis.md says more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import StoredMonthFigures
from .periods import Period

STORED_MONTH_SECONDS = 600


def ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "REPORTS_STORED_MONTH_SECONDS", STORED_MONTH_SECONDS))


def storable(period: Period, now: datetime | None = None) -> bool:
    """A whole month that has ended (never a month so far, never a part of a month)."""
    return not period.so_far and period.end <= (now or timezone.now())


def read(months: Iterable[date], scope_key: str, now: datetime | None = None) -> dict[date, dict]:
    """The figures of those months counted less than the TTL ago (one query)."""
    months = list(months)
    if not months:
        return {}
    fresh_since = (now or timezone.now()) - ttl()
    rows = StoredMonthFigures.objects.filter(
        scope=scope_key, month__in=months, counted_at__gt=fresh_since
    ).values_list("month", "figures")
    return dict(rows)


def write(figures: dict[date, dict], scope_key: str, now: datetime | None = None) -> None:
    """Keep freshly counted months (one upsert; a concurrent request counting the same month wins or
    loses harmlessly: both counted the same data)."""
    if not figures:
        return
    now = now or timezone.now()
    StoredMonthFigures.objects.bulk_create(
        [
            StoredMonthFigures(month=month, scope=scope_key, figures=value, counted_at=now)
            for month, value in figures.items()
        ],
        update_conflicts=True,
        unique_fields=["scope", "month"],
        update_fields=["figures", "counted_at"],
    )


def forget(months: Iterable[date] | None = None) -> int:
    """Drop the stored figures (of those months, or all), so the next request counts them again."""
    rows = StoredMonthFigures.objects.all()
    if months is not None:
        rows = rows.filter(month__in=list(months))
    deleted, _ = rows.delete()
    return deleted
