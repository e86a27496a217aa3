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
# The XLSX's sheet "Changes" lists every change carried out in the month, up to this many (the report
# build asks for them: change_management(every_change=True)).
EVERY_CHANGE_LIMIT = 1000

# How each figure is counted, in the council's words (the PDF's Annex B and the XLSX's Definitions sheet).
DEFINITIONS = (
    (
        "Changes carried out",
        "Changes whose work was done in the month (the day the implementer recorded it as implemented), "
        "by type (standard: pre-approved; normal: assessed and approved first; emergency: approved after "
        "the fact) and by outcome.",
    ),
    (
        "Change success rate",
        "Of the changes carried out in the month, the share that succeeded, with or without issues "
        "(failed and backed-out changes did not).",
    ),
    (
        "Emergency changes",
        "Emergency changes carried out in the month, and whether the ICT manager has approved each after "
        "the fact.",
    ),
    (
        "Changes that caused incidents",
        "Changes carried out in the month with at least one incident the service desk linked to them as "
        "caused by the change, and how many incidents.",
    ),
    (
        "Changes in critical periods",
        "Changes carried out in the month whose planned dates fell inside a critical period of a service "
        "they affect (for example the financial system at month end), with the approvers' reasons for going "
        "ahead.",
    ),
)


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


def change_management(period: Period, *, every_change: bool = False) -> dict:
    """Every figure of the Changes section as JSON-ready data, in a fixed number of queries (seven; four
    more with every_change: the XLSX's row per change carried out in the month)."""
    done = Change.objects.filter(implemented_at__gte=period.start, implemented_at__lt=period.end)
    # distinct: the join to the caused incidents repeats a change once per incident.
    counts = done.values("type").annotate(
        implemented=Count("pk", distinct=True),
        **{outcome: Count("pk", filter=Q(outcome=outcome), distinct=True) for outcome in Outcome.values},
        caused=Count("pk", filter=Q(caused_incidents__isnull=False), distinct=True),
        caused_incidents=Count("caused_incidents", distinct=True),
        critical=Count("pk", filter=Q(in_critical_period=True), distinct=True),
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
    totals = {
        key: sum(row.get(key, 0) for row in by_type.values())
        for key in ("caused", "caused_incidents", "critical")
    }
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
    section = {
        "by_type": rows,
        "implemented": implemented,
        "succeeded": succeeded,
        "success_rate": round(100 * succeeded / implemented, 1) if implemented else None,
        # The whole counts (the lists below stop at LISTED).
        "emergency_count": by_type.get(ChangeType.EMERGENCY.value, {}).get("implemented", 0),
        "caused_count": totals["caused"],
        "caused_incidents_count": totals["caused_incidents"],
        "in_critical_count": totals["critical"],
        "emergency": [{**_row(c), "approved": c.approvals_given > 0} for c in emergency],
        "caused_incidents": [{**_row(c), "incidents": c.incidents} for c in caused],
        "in_critical_periods": [
            {**_row(c), "justifications": [a.justification for a in c.justified]} for c in critical
        ],
        "scheduled": [_row(c) for c in scheduled],
        "failed": [_row(c) for c in failed],
    }
    if every_change:
        section["changes"] = every_change_rows(done)
    return section


def every_change_rows(done) -> list[dict]:
    """One row per change carried out in the period (the XLSX's sheet "Changes"), the oldest first: what
    the chapter's figures count, so a reader can recount them. Four queries."""
    changes = (
        done.select_related("implementer")
        .annotate(
            incidents=Count("caused_incidents", distinct=True),
            approvals_given=Count(
                "approvals",
                filter=Q(approvals__decision=Decision.APPROVED, approvals__current=True),
                distinct=True,
            ),
        )
        .prefetch_related(
            "services",
            "sites",
            Prefetch(
                "approvals",
                queryset=ChangeApproval.objects.filter(current=True).exclude(justification="").order_by("at"),
                to_attr="justified",
            ),
        )
        .order_by("implemented_at", "pk")[:EVERY_CHANGE_LIMIT]
    )
    return [
        {
            **_row(c),
            "risk": c.get_risk_display(),
            "status": c.get_status_display(),
            "planned_end": c.planned_end.isoformat() if c.planned_end else None,
            "services": ", ".join(sorted(s.name for s in c.services.all())),
            "sites": ", ".join(sorted(s.name for s in c.sites.all())),
            "implementer": str(c.implementer) if c.implementer else "",
            "succeeded": c.outcome in (Outcome.SUCCESSFUL, Outcome.WITH_ISSUES),
            "approved_after": (c.approvals_given > 0) if c.type == ChangeType.EMERGENCY else None,
            "incidents": c.incidents,
            "in_critical_period": c.in_critical_period,
            "justifications": [a.justification for a in c.justified],
            "review": c.review,
        }
        for c in changes
    ]
