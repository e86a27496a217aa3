"""The report's sections beside the headline: breakdowns, SLA compliance per priority, site and group,
OLAs and contracts, technicians, the oldest open tickets, major incidents and the breached annex."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import (
    Avg,
    Case,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.formats import date_format

from catalogue.models import Priority
from incidents.models import Ticket
from slas.models import ClockKind, ClockState, OperationalClock, SlaClock
from slas.outcomes import clock_late_q, clock_met_q

from ..periods import Period
from .aggregates import (
    _BREAKDOWN_NAMES,
    _COMPLIANCE_COUNTS,
    _breakdown_rows,
    _hours,
    _not_withdrawn_clocks,
    _pct,
    _relevant,
    _ticket_cells,
    compliance_cells,
)
from .definitions import (
    ALL,
    ANNEX_LIMIT,
    DIMENSIONS,
    FIGURES,
    OLDEST_OPEN,
    Dimension,
    Scope,
    major_q,
    open_at_q,
    resolved_q,
)

# --- breakdowns ---------------------------------------------------------------------------------------------


def breakdowns(period: Period, scope: Scope = ALL, dimensions: Iterable[Dimension] = ()) -> dict:
    """Tickets logged, resolved and open at the end, per value of each dimension (all of DIMENSIONS by
    default): one GROUP BY over the combinations of every dimension's column, each dimension's rows the
    sums of its cells. One pass over the tickets instead of one per dimension."""
    dimensions = tuple(dimensions) or DIMENSIONS
    cells = _ticket_cells([period], scope, dimensions, _BREAKDOWN_NAMES)
    return {dimension.key: _breakdown_rows(dimension, cells) for dimension in dimensions}


def breakdown(dimension: Dimension, period: Period, scope: Scope = ALL) -> list[dict]:
    """Tickets logged, resolved and open at the end, per value of one dimension."""
    return breakdowns(period, scope, [dimension])[dimension.key]


# --- SLA, OLA and technicians -------------------------------------------------------------------------------


def _compliance_rows(group_by: list[str], cells: list[dict]) -> list[dict]:
    """The cells added up per value of `group_by` (a few hundred cells at most, never a clock)."""
    rows: dict = {}
    for cell in cells:
        key = tuple(cell[column] for column in group_by)
        row = rows.get(key)
        if row is None:
            row = rows[key] = {column: cell[column] for column in group_by} | dict.fromkeys(
                _COMPLIANCE_COUNTS, 0
            )
        for name in _COMPLIANCE_COUNTS:
            row[name] += cell[name]
    return [
        {
            **row,
            "response_compliance": _pct(row["response_met"], row["response_total"]),
            "resolution_compliance": _pct(row["resolution_met"], row["resolution_total"]),
        }
        for row in rows.values()
    ]


def _keyed(row: dict, key: str, label) -> dict:
    rest = {name: value for name, value in row.items() if not name.startswith(("ticket__", "priority"))}
    return {"key": row[key], "label": label, **rest}


def sla_breakdowns(period: Period, scope: Scope = ALL, cells: list[dict] | None = None) -> dict:
    """SLA compliance per priority (the clock's), per site and per support group, from
    compliance_cells (one query, or none when the caller has the cells)."""
    cells = compliance_cells(period, scope) if cells is None else cells
    by_priority = [
        _keyed(row, "priority", Priority(row["priority"]).label)
        for row in _compliance_rows(["priority"], cells)
    ]
    by_site = [
        _keyed(row, "ticket__site_id", row["ticket__site__name"])
        for row in _compliance_rows(["ticket__site_id", "ticket__site__name"], cells)
    ]
    by_group = [
        _keyed(row, "ticket__group_id", row["ticket__group__name"] or "No group")
        for row in _compliance_rows(["ticket__group_id", "ticket__group__name"], cells)
    ]
    return {
        "by_priority": sorted(by_priority, key=lambda row: row["key"]),
        "by_site": sorted(by_site, key=lambda row: str(row["label"])),
        "by_group": sorted(by_group, key=lambda row: str(row["label"])),
    }


def operational_compliance(period: Period, scope: Scope = ALL) -> list[dict]:
    """Per OLA and underpinning contract, apart from the SLA (docs/kpis.md): the holdings whose clock
    stopped in the period and how many within target, the mean time held to resolution or hand-over, and
    the clocks overdue at the period's end. One query."""
    clocks = _not_withdrawn_clocks(scope.tickets(OperationalClock.objects.all(), via="ticket__"))
    stopped = Q(state=ClockState.STOPPED, stopped_at__gte=period.start, stopped_at__lt=period.end)
    aggregates = {}
    for kind in ClockKind.values:
        aggregates[f"{kind}_total"] = Count("pk", filter=stopped & Q(kind=kind))
        aggregates[f"{kind}_met"] = Count("pk", filter=stopped & Q(kind=kind) & clock_met_q())
    aggregates["resolution_mean_seconds"] = Avg(
        "elapsed_seconds", filter=stopped & Q(kind=ClockKind.RESOLUTION)
    )
    aggregates["overdue_at_end"] = Count(
        "pk",
        filter=Q(held_from__lt=period.end)
        & (Q(stopped_at__isnull=True) | Q(stopped_at__gte=period.end))
        & clock_late_q(period.end),
    )
    rows = (
        clocks.values(
            "agreement_id",
            "agreement__name",
            "agreement__kind",
            "agreement__group__name",
            "agreement__supplier__name",
        )
        .annotate(**aggregates)
        .order_by("agreement__kind", "agreement__name")
    )
    return [
        {
            "key": row["agreement_id"],
            "label": row["agreement__name"],
            "kind": row["agreement__kind"].upper(),
            "held_by": row["agreement__group__name"] or row["agreement__supplier__name"] or "",
            "response_total": row["response_total"],
            "response_met": row["response_met"],
            "response_compliance": _pct(row["response_met"], row["response_total"]),
            "resolution_total": row["resolution_total"],
            "resolution_met": row["resolution_met"],
            "resolution_compliance": _pct(row["resolution_met"], row["resolution_total"]),
            "resolution_mean_hours": _hours(row["resolution_mean_seconds"]),
            "overdue_at_end": row["overdue_at_end"],
        }
        for row in rows
        if row["response_total"] or row["resolution_total"] or row["overdue_at_end"]
    ]


def technicians(period: Period, scope: Scope = ALL, cells: list[dict] | None = None) -> list[dict]:
    """Per technician (the ticket's current assignee): tickets resolved in the period, tickets open at
    its end, resolved at first contact, and the compliance of the resolution clocks that stopped in it.
    Two queries (one when the caller has the compliance cells), joined by person."""
    cells = compliance_cells(period, scope) if cells is None else cells
    workload = (
        scope.tickets(Ticket.objects.all())
        .filter(_relevant([period]), assignee__isnull=False)
        .values("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username")
        .annotate(
            resolved=Count("pk", filter=resolved_q(period)),
            backlog=Count("pk", filter=open_at_q(period.end)),
            first_contact=Count("pk", filter=resolved_q(period) & Q(first_contact=True)),
        )
        .filter(Q(resolved__gt=0) | Q(backlog__gt=0))
        .order_by()
    )
    clocks = {
        row["ticket__assignee_id"]: row
        for row in _compliance_rows(["ticket__assignee_id"], cells)
        if row["ticket__assignee_id"] is not None
    }
    rows = []
    for row in workload:
        name = (
            f"{row['assignee__first_name']} {row['assignee__last_name']}".strip() or row["assignee__username"]
        )
        clock = clocks.get(row["assignee_id"], {})
        rows.append(
            {
                "key": row["assignee_id"],
                "label": name,
                "resolved": row["resolved"],
                "backlog": row["backlog"],
                "first_contact": row["first_contact"],
                "resolution_measured": clock.get("resolution_total", 0),
                "resolution_met": clock.get("resolution_met", 0),
                "resolution_compliance": clock.get("resolution_compliance"),
                "response_measured": clock.get("response_total", 0),
                "response_compliance": clock.get("response_compliance"),
            }
        )
    return sorted(rows, key=lambda row: (-row["resolved"], -row["backlog"], row["label"]))


def _ticket_row(ticket: Ticket, at: datetime) -> dict:
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "summary": ticket.summary,
        "kind": ticket.kind,
        "priority": ticket.priority,
        "status": ticket.get_status_display(),
        "site": ticket.site.name,
        "town": ticket.site.town,
        "service": ticket.service.name,
        "group": ticket.group.name if ticket.group_id else "",
        "assignee": (ticket.assignee.get_full_name() or ticket.assignee.username)
        if ticket.assignee_id
        else "",
        "created_at": ticket.created_at.isoformat(),
        "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
        "age_days": round((at - ticket.created_at).total_seconds() / 86400, 1),
    }


def _listed(tickets: QuerySet) -> QuerySet:
    return tickets.select_related("site", "service", "group", "assignee")


def oldest_open(period: Period, scope: Scope = ALL, limit: int = OLDEST_OPEN) -> list[dict]:
    """The tickets open longest at the end of the period (their age then, in calendar days)."""
    tickets = _listed(scope.tickets(Ticket.objects.all()).filter(open_at_q(period.end)))
    return [_ticket_row(t, period.end) for t in tickets.order_by("created_at", "pk")[:limit]]


def _resolution_clock(column: str) -> Subquery:
    return Subquery(
        SlaClock.objects.filter(ticket_id=OuterRef("pk"), kind=ClockKind.RESOLUTION).values(column)[:1]
    )


def major_incidents(period: Period, scope: Scope = ALL) -> list[dict]:
    """Major incidents open at some time in the period, with how many tickets were linked to each."""
    tickets = (
        _listed(scope.tickets(Ticket.objects.all()).filter(major_q(period)))
        .annotate(
            linked=Count("children", distinct=True),
            resolution_seconds=_resolution_clock("elapsed_seconds"),
            resolution_breached=_resolution_clock("breached_at"),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            **_ticket_row(t, period.end),
            "linked_tickets": t.linked,
            "resolution_hours": _hours(t.resolution_seconds) if t.resolved_at else None,
            "breached": t.resolution_breached is not None,
        }
        for t in tickets
    ]


def breached_tickets(period: Period, scope: Scope = ALL, limit: int = ANNEX_LIMIT) -> dict:
    """The report's annex: tickets whose response or resolution target was breached on a clock that
    stopped in the period, and open tickets overdue at its end."""
    response_late = FIGURES["response_breached"].q(period)
    resolution_late = FIGURES["resolution_breached"].q(period)
    overdue = FIGURES["overdue"].q(period)
    tickets = (
        _listed(scope.tickets(Ticket.objects.all()).filter(_relevant([period])))
        .filter(response_late | resolution_late | overdue)
        .annotate(
            response_late=Case(When(response_late, then=Value(True)), default=Value(False)),
            resolution_late=Case(When(resolution_late, then=Value(True)), default=Value(False)),
            overdue=Case(When(overdue, then=Value(True)), default=Value(False)),
            resolution_seconds=_resolution_clock("elapsed_seconds"),
            target_minutes=_resolution_clock("target_minutes"),
        )
        .order_by("priority", "created_at", "pk")
    )
    rows = [
        {
            **_ticket_row(t, period.end),
            "response_breached": bool(t.response_late),
            "resolution_breached": bool(t.resolution_late),
            "overdue": bool(t.overdue),
            "resolution_hours": _hours(t.resolution_seconds),
            "target_hours": None if t.target_minutes is None else round(t.target_minutes / 60, 2),
        }
        for t in tickets[: limit + 1]
    ]
    return {"rows": rows[:limit], "truncated": len(rows) > limit}


def availability(period: Period, now: datetime | None = None) -> dict:
    """The month's availability per site (grouped by town for the charts), network link and service, and
    the month's outages as a list (outages/availability.py says how each figure is counted)."""
    from outages.availability import month_availability
    from outages.models import OutageSource

    found = month_availability(period.month.year, period.month.month, now=min(period.end, now or period.end))
    # Load-shedding windows are counted per site, not listed one by one.
    outages = [o for o in found["outages"] if o.source != OutageSource.SCHEDULE]
    towns: dict[str, list[dict]] = {}
    for row in found["sites"]:
        towns.setdefault(row.town, []).append(row.as_dict())
    return {
        "sites": [row.as_dict() for row in found["sites"]],
        "towns": [{"town": town, "sites": rows} for town, rows in towns.items()],
        "links": [row.as_dict() for row in found["links"]],
        "services": [row.as_dict() for row in found["services"]],
        # Per supplier: its outages restored within the underpinning contract's restore time.
        "suppliers": [row.as_dict() for row in found["suppliers"]],
        "outages": [
            {
                "reference": o.reference,
                "title": o.title,
                "kind": o.get_kind_display(),
                "cause": o.get_cause_display(),
                "supplier": str(o.supplier) if o.supplier_id else "",
                "started_at": o.started_at.isoformat(),
                "when": date_format(timezone.localtime(o.started_at), "j M, H:i"),
                "ended_at": o.ended_at.isoformat() if o.ended_at else None,
                "hours": round(((o.ended_at or period.end) - o.started_at).total_seconds() / 3600, 2),
                "major_incident": o.major_incident.reference if o.major_incident_id else "",
            }
            for o in outages
        ],
    }
