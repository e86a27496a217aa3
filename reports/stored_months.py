"""Counted figures kept for a short while, so the dashboard and the KPI API do not recount per request.

Two kinds of rows, both read only by the dashboard and GET /api/reports/kpis/ (`month_report(stored=True)`):
- StoredReport: a month's whole report for one scope. A month so far is served for `REPORTS_LIVE_SECONDS`
  (60 s by default) after it was counted, and beat recounts the whole municipality's month so far every
  30 s (reports.tasks.count_month_so_far), so the manager's page reads one row instead of counting a
  month of tickets; an ended month's report is served for the ended-month TTL below.
- StoredMonthFigures: the headline figures of each ended month, for the six-month trend (below).

The dashboard and GET /api/reports/kpis/ show six months of headline figures. Five of them (six for a
chosen past month) have ended; their figures change only when something late touches them (a rating, a
reopen, a withdrawal), yet counting them is most of the page's time at 100,000 tickets. So they are kept
in a table (StoredMonthFigures), one row per month and scope, and used for STORED_MONTH_SECONDS after
they were counted (10 minutes by default; `REPORTS_STORED_MONTH_SECONDS` in settings changes it). This
month so far and the comparable stretch of last month are counted whenever the report is. The monthly
report build never reads these tables: a tabled report is counted fresh (month_report(stored=False)).

Why a table and not Django's cache: every gunicorn worker shares it (a per-process memory cache would be
counted again by each worker), it survives a restart, it needs no new service, and it rolls back with the
transaction it was written in (tests and bench leave nothing behind). docs/kpis.md says more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import StoredMonthFigures, StoredReport
from .periods import Period

STORED_MONTH_SECONDS = 600
LIVE_SECONDS = 60


def ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "REPORTS_STORED_MONTH_SECONDS", STORED_MONTH_SECONDS))


def live_ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "REPORTS_LIVE_SECONDS", LIVE_SECONDS))


def report_read(period: Period, scope_key: str, now: datetime | None = None) -> dict | None:
    """The period's whole report for the scope if it was counted recently enough (one query): within
    the live TTL for a month so far, within the ended-month TTL for an ended month. A report counted
    while its month was running is never served for the ended month."""
    so_far = period.so_far
    fresh_since = (now or timezone.now()) - (live_ttl() if so_far else ttl())
    return (
        StoredReport.objects.filter(
            scope=scope_key, month=period.month, so_far=so_far, counted_at__gt=fresh_since
        )
        .values_list("report", flat=True)
        .first()
    )


def report_write(period: Period, scope_key: str, report: dict, now: datetime | None = None) -> None:
    """Keep a freshly counted report (one upsert; two requests counting at once both counted the same
    data, so whichever lands last is as good)."""
    StoredReport.objects.bulk_create(
        [
            StoredReport(
                month=period.month,
                scope=scope_key,
                so_far=period.so_far,
                report=report,
                counted_at=now or timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["scope", "month"],
        update_fields=["so_far", "report", "counted_at"],
    )


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
    """Drop the stored figures of those months (or all) and every stored report (any of them may show
    those months in its trend), so the next request counts them again. Returns the rows dropped."""
    figures = StoredMonthFigures.objects.all()
    if months is not None:
        figures = figures.filter(month__in=list(months))
    return figures.delete()[0] + StoredReport.objects.all().delete()[0]
