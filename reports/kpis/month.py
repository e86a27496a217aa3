"""The whole month: month_report, every KPI of a period as plain JSON-ready data (the dashboard, the API
and a report run's snapshot)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from problems.selectors import month_section_and_dashboard_counts

from .. import stored_months
from ..periods import Period, comparable_previous, trend_periods
from ..self_help import self_help_for, self_help_snapshot
from .aggregates import _figures, change, compliance_cells
from .changes import change_management
from .definitions import ALL, TOP_SERVICES, Scope
from .problems import problem_management
from .sections import (
    availability,
    breached_tickets,
    breakdowns,
    major_incidents,
    oldest_open,
    operational_compliance,
    sla_breakdowns,
    technicians,
)

# --- the whole month ----------------------------------------------------------------------------------------


@contextmanager
def _without_jit():
    """PostgreSQL JIT-compiles a query it estimates to be costly. These aggregates carry hundreds of
    expressions, and compiling them took many times longer than running the query. JIT is
    turned off for the report's own transaction only (SET LOCAL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def month_report(
    period: Period,
    scope: Scope = ALL,
    *,
    include_annex: bool = False,
    now: datetime | None = None,
    stored: bool = False,
) -> dict:
    """Every KPI of the period as plain JSON-ready data: what the dashboard shows, the API returns and a
    report run stores as its snapshot. A fixed number of queries whatever the number of tickets.

    stored=True (beat and the recount task only, never a request): count the period with the trend's
    ended months from the stored figures (counting and keeping those not stored yet), add what the
    dashboard shows beside it (self-help, today's problem figures) and keep the whole report for the
    dashboard and the API (reports.stored_months), which read it with `stored_report`. The monthly report
    build counts everything (stored=False, the default)."""
    keep = stored and not include_annex and now is None
    with _without_jit():
        report = _month_report(period, scope, include_annex=include_annex, now=now, stored=stored, keep=keep)
        if keep:
            report["self_help"] = asdict(self_help_for(report["period"]))
    if keep:
        stored_months.report_write(period, scope.key, report)
    return report


def stored_report(period: Period, scope: Scope = ALL) -> stored_months.Stored:
    """The period's report as last counted, for a request: one query, never a count (nothing stored
    yet: the count is queued and the answer says so)."""
    return stored_months.report_read(period, scope.key)


def _month_report(
    period: Period,
    scope: Scope,
    *,
    include_annex: bool,
    now: datetime | None,
    stored: bool,
    keep: bool = False,
) -> dict:
    previous = comparable_previous(period)
    trend = trend_periods(period)
    periods = list(trend)
    comparable = None
    if previous == trend[-2]:
        previous_index = len(trend) - 2
    else:  # a month so far: compared with the same stretch of the month before
        comparable = previous_index = len(periods)
        periods.append(previous)
    figures, cost_basis, extras = _figures(
        periods, scope, comparable, stored=stored, breakdown_of=len(trend) - 1
    )
    current, before = figures[len(trend) - 1], figures[previous_index]
    by_dimension = extras.get("breakdowns")
    if by_dimension is None:
        by_dimension = breakdowns(period, scope)
    compliance = extras.get("compliance")
    if compliance is None:
        compliance = compliance_cells(period, scope)
    problem_figures = None
    if keep:  # the dashboard's two figures of today, counted in the same two aggregates
        problems, problem_figures = month_section_and_dashboard_counts(
            period.start, period.end, today=timezone.localdate()
        )
    else:
        problems = problem_management(period)
    report = {
        "organisation": settings.ORGANISATION_NAME,
        "period": period.as_dict(),
        "previous_period": previous.as_dict(),
        "scope": scope.describe(),
        "generated_at": (now or timezone.now()).isoformat(),
        "headline": current["headline"],
        "details": current["details"],
        "previous": before["headline"],
        "changes": {
            key: change(key, current["headline"][key], before["headline"][key]) for key in current["headline"]
        },
        "trend": {
            "months": [p.key for p in trend],
            "labels": [p.short_label for p in trend],
            **{key: [f["headline"][key] for f in figures[: len(trend)]] for key in current["headline"]},
        },
        "breakdowns": by_dimension,
        "top_services": [row for row in by_dimension["service"] if row["logged"]][:TOP_SERVICES],
        "sla": sla_breakdowns(period, scope, compliance),
        "operational": operational_compliance(period, scope),
        "technicians": technicians(period, scope, compliance),
        "oldest_open": oldest_open(period, scope),
        "major_incidents": major_incidents(period, scope),
        "availability": availability(period, now),
        # Change management (reports/kpis/changes.py): the whole municipality's, whatever the scope.
        "change_management": change_management(period, every_change=include_annex),
        # Problems and improvements (problems.selectors.month_section): the whole desk's, whatever the
        # scope (a problem spans sites and groups).
        "problems": problems,
        "cost_basis": cost_basis,
    }
    if include_annex:  # the monthly report's build: what only the PDF and the XLSX show
        report["breached"] = breached_tickets(period, scope)
        report["self_help"] = self_help_snapshot(period.start, period.end)
        report["section_trend"] = section_trend(trend, report)
    if problem_figures is not None:
        report["problem_figures"] = problem_figures
    return report


def section_trend(trend: list[Period], report: dict) -> list[dict]:
    """The problem, change and self-help figures of each trend month (the XLSX's sheets set the month
    against the earlier ones, as the Trend sheet does the headline figures). Each month is counted by the
    chapter's own functions (problem_management, change_management, the self-help figures); the report's
    own month is read from the report. About 16 queries a month: the report's build only."""
    rows = []
    for index, month in enumerate(trend):
        last = index == len(trend) - 1
        problems = report["problems"] if last else problem_management(month)
        changes = report["change_management"] if last else change_management(month)
        helped = report["self_help"] if last else self_help_snapshot(month.start, month.end)
        rows.append(
            {
                "label": month.short_label,
                "problems_opened": problems["opened"],
                "problems_resolved": problems["resolved"],
                "linked_incidents": problems["linked_incidents"],
                "improvements_due": problems["improvements"]["due"],
                "improvements_done": problems["improvements"]["done"],
                "improvements_overdue": problems["improvements"]["overdue"],
                "changes_implemented": changes["implemented"],
                "change_success_rate": changes["success_rate"],
                "emergency_changes": changes["emergency_count"],
                "changes_causing_incidents": changes["caused_count"],
                "changes_in_critical_periods": changes["in_critical_count"],
                "deflections": helped["deflections"],
                "articles_in_replies": helped["used_in_replies"],
            }
        )
    return rows
