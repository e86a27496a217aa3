"""Counted figures kept for the dashboard and the KPI API, which only ever read them (issue 22).

Two kinds of rows, both read only by the dashboard and GET /api/reports/kpis/ (`kpis.stored_report`):
- StoredReport: a month's whole report for one scope (the dashboard's town, site and group filters).
- StoredMonthFigures: the headline figures of each ended month, for the six-month trend.

No request counts. The current month is recounted by beat (reports.tasks.count_month_so_far, every
REPORTS_LIVE_SECONDS / 2) for every scope someone has asked for. An ended month is kept until something
in it changes: a change to a ticket marks each ended month the ticket counts in stale (StaleMonth, written
in the changing transaction: `months_mark`), and a task queued after that commit recounts the month and
the reports whose trend shows it (reports.services.stale_months_recount); beat runs the same task every
few minutes, so a mark whose task was lost (Redis restarted, worker killed) is recounted all the same.
A scope and month nobody has asked for before has nothing stored: the request writes an empty row, queues
the count and says "being counted" (`report_read`). The monthly report build never reads these tables
(month_report(stored=False)).

Why a table and not Django's cache: every gunicorn worker shares it, it survives a restart, it needs no
new service, and it rolls back with the transaction it was written in. docs/kpis.md says more.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.queueing import enqueue_batch_on_commit, enqueue_on_commit

from .models import StaleMonth, StoredMonthFigures, StoredReport
from .periods import Period

LIVE_SECONDS = 60
# A recount claimed by a worker is its own this long; one that died leaves the month to the next sweep.
COUNTING_LEASE = timedelta(minutes=10)


def live_seconds() -> int:
    return int(getattr(settings, "REPORTS_LIVE_SECONDS", LIVE_SECONDS))


@dataclass(frozen=True)
class Stored:
    """What a request finds: the report as last counted (None while it is being counted for the first
    time) and when it was counted."""

    report: dict | None
    counted_at: datetime | None


def report_read(period: Period, scope_key: str) -> Stored:
    """The period's stored report for the scope, whatever its age (one query). Never counts: with nothing
    stored (a fresh install, a scope or month nobody asked for, a month's report counted while it ran and
    asked for once it has ended) it writes the empty row beat and the task count and queues the count."""
    row = (
        StoredReport.objects.filter(scope=scope_key, month=period.month)
        .values_list("report", "so_far", "counted_at")
        .first()
    )
    if row is not None and row[0] is not None and row[1] == period.so_far:
        return Stored(report=row[0], counted_at=row[2])
    if row is None or row[0] is not None:
        # Ask once: the row is what the task (and beat's sweep, if the task is lost) counts.
        StoredReport.objects.update_or_create(
            scope=scope_key,
            month=period.month,
            defaults={"so_far": period.so_far, "report": None, "counted_at": None},
        )
        from .tasks import recount_stale

        enqueue_on_commit(recount_stale)
    return Stored(report=None, counted_at=None)


def report_write(period: Period, scope_key: str, report: dict, now: datetime | None = None) -> None:
    """Keep a freshly counted report (one upsert; two workers counting at once both counted the same
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


def read(months: Iterable[date], scope_key: str) -> dict[date, dict]:
    """The stored figures of those months, whatever their age (one query): a stale month is recounted by
    its task, never here."""
    months = list(months)
    if not months:
        return {}
    rows = StoredMonthFigures.objects.filter(scope=scope_key, month__in=months).values_list(
        "month", "figures"
    )
    return dict(rows)


def write(figures: dict[date, dict], scope_key: str, now: datetime | None = None) -> None:
    """Keep freshly counted months (one upsert)."""
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
    those months in its trend); the next request asks for them to be counted. Returns the rows dropped."""
    figures = StoredMonthFigures.objects.all()
    if months is not None:
        figures = figures.filter(month__in=list(months))
    return figures.delete()[0] + StoredReport.objects.all().delete()[0]


# --- stale months ---------------------------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def ended_months_between(first: datetime, last: datetime, now: datetime | None = None) -> list[date]:
    """The months from `first`'s to `last`'s (local time) that have ended by `now`."""
    current = _month_start(timezone.localdate(now or timezone.now()))
    month = _month_start(timezone.localtime(first).date())
    end = min(_month_start(timezone.localtime(last).date()), current - timedelta(days=1))
    months = []
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def months_mark(months: list[date], now: datetime | None = None) -> None:
    """Mark the months stale in the caller's transaction (one upsert, in month order so that two
    transactions lock the rows in the same order), and queue their recount after it commits (one task per
    transaction). Each mark is a new token, so a recount that began before this change keeps the month
    marked (stale_claim, stale_release)."""
    if not months:
        return
    now = now or timezone.now()
    StaleMonth.objects.bulk_create(
        [StaleMonth(month=month, mark=uuid.uuid4().hex, marked_at=now) for month in sorted(set(months))],
        update_conflicts=True,
        unique_fields=["month"],
        update_fields=["mark", "marked_at"],
    )
    from .tasks import recount_stale

    enqueue_batch_on_commit(recount_stale, [month.isoformat() for month in months])


def stale_claim(now: datetime | None = None) -> tuple[date, str] | None:
    """Take the oldest stale month nobody is recounting (a short transaction of its own): its month and
    the mark read. A month whose row a transaction is marking right now is skipped: that transaction's
    own task recounts it after it commits."""
    now = now or timezone.now()
    free = Q(counting_until__isnull=True) | Q(counting_until__lte=now)
    with transaction.atomic():
        claimed = (
            StaleMonth.objects.select_for_update(skip_locked=True).filter(free).order_by("month").first()
        )
        if claimed is None:
            return None
        claimed.counting_until = now + COUNTING_LEASE
        claimed.save(update_fields=["counting_until"])
        return claimed.month, claimed.mark


def stale_release(month: date, mark: str) -> bool:
    """The month was recounted from what `mark` stood for: forget the mark unless a change marked the
    month again meanwhile (then it stays, free for the next recount). True when it was forgotten."""
    deleted, _ = StaleMonth.objects.filter(month=month, mark=mark).delete()
    if not deleted:
        StaleMonth.objects.filter(month=month).update(counting_until=None)
    return bool(deleted)
