"""The ManCo report's "Changes" section and the dashboard's change block, counted in SQL.

Which changes each figure counts, in words (also in docs/changes.md):
- a change counts in the month its work was done (`implemented_at` in the period): by type and outcome;
- success rate: successful or successful-with-issues over all implemented in the month;
- emergency changes: emergency changes implemented in the month, with whether their after-the-fact
  approval was given;
- changes that caused incidents: changes with an incident linked as caused by them, implemented in the
  month, with the number of incidents;
- changes in critical periods: changes implemented in the month that were flagged inside a critical
  period of a service they affect (changes.Change.in_critical_period), with the approvers' justifications;
- this month's scheduled changes: planned to start in the month and approved, scheduled or in progress;
  failed: implemented in the month with the outcome failed or backed out.
The whole municipality's changes: a report scoped to a site or group counts them all the same.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from changes.models import (
    GOING_AHEAD,
    Change,
    ChangeApproval,
    ChangeType,
    Decision,
    Outcome,
)

from ..periods import Period

FAILED = (Outcome.FAILED, Outcome.BACKED_OUT)
LISTED = 20


def _row(change: Change) -> dict:
    return {
        "id": change.pk,
        "reference": change.reference,
        "summary": change.summary,
        "type": change.get_type_display(),
        "outcome": change.get_outcome_display() if change.outcome else "",
        "planned_start": change.planned_start.isoformat() if change.planned_start else None,
        "implemented_at": change.implemented_at.isoformat() if change.implemented_at else None,
    }


def change_management(period: Period) -> dict:
    """Every figure of the Changes section as JSON-ready data, in a fixed number of queries."""
    done = Change.objects.filter(implemented_at__gte=period.start, implemented_at__lt=period.end)
    counts = done.values("type").annotate(
        implemented=Count("pk"),
        **{outcome: Count("pk", filter=Q(outcome=outcome)) for outcome in Outcome.values},
    )
    by_type = {row["type"]: row for row in counts}
    rows = []
    for change_type in ChangeType:
        row = by_type.get(change_type.value, {})
        rows.append(
            {
                "type": change_type.label,
                "implemented": row.get("implemented", 0),
                **{outcome: row.get(outcome, 0) for outcome in Outcome.values},
            }
        )
    implemented = sum(row["implemented"] for row in rows)
    succeeded = sum(row[Outcome.SUCCESSFUL] + row[Outcome.WITH_ISSUES] for row in rows)
    emergency = list(
        done.filter(type=ChangeType.EMERGENCY)
        .annotate(
            approvals_given=Count(
                "approvals", filter=Q(approvals__decision=Decision.APPROVED, approvals__current=True)
            )
        )
        .order_by("implemented_at", "pk")[:LISTED]
    )
    caused = list(
        done.annotate(incidents=Count("caused_incidents", distinct=True))
        .filter(incidents__gt=0)
        .order_by("-incidents", "pk")[:LISTED]
    )
    critical = list(
        done.filter(in_critical_period=True)
        .prefetch_related(
            Prefetch(
                "approvals",
                queryset=ChangeApproval.objects.filter(current=True).exclude(justification=""),
                to_attr="justified",
            )
        )
        .order_by("implemented_at", "pk")[:LISTED]
    )
    scheduled = list(
        Change.objects.filter(
            planned_start__gte=period.start, planned_start__lt=period.full_end, status__in=GOING_AHEAD
        ).order_by("planned_start", "pk")[:LISTED]
    )
    failed = list(done.filter(outcome__in=FAILED).order_by("implemented_at", "pk")[:LISTED])
    return {
        "by_type": rows,
        "implemented": implemented,
        "success_rate": round(100 * succeeded / implemented, 1) if implemented else None,
        "emergency": [{**_row(c), "approved": c.approvals_given > 0} for c in emergency],
        "caused_incidents": [{**_row(c), "incidents": c.incidents} for c in caused],
        "in_critical_periods": [
            {**_row(c), "justifications": [a.justification for a in c.justified]} for c in critical
        ],
        "scheduled": [_row(c) for c in scheduled],
        "failed": [_row(c) for c in failed],
    }
