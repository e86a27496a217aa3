"""KPIs: the one place each figure of the dashboard, the PDF, the XLSX and the API is defined and counted.

Every figure is a SQL aggregate over tickets (incidents.Ticket) or their SLA clocks (slas.SlaClock); none
loops over tickets in Python. A figure that counts tickets is defined by a `Q` over Ticket (FIGURES), so
the list of tickets behind a number on the dashboard is the same definition as the number itself.
docs/kpis.md writes every formula down; change both together.

Counting rules worth knowing (docs/kpis.md has them all):
- a period is [start, end) in South African time (reports.periods);
- "resolved" leaves out tickets the requester withdrew (they were never resolved by the desk);
- a ticket resolved, reopened and resolved again counts once, in the month of its last resolution;
- SLA compliance counts the clocks that stopped in the period; met means it stopped before its target;
- the backlog at an instant is what was open then, worked out from the ticket's status history.

The package, in the order a reader needs it (every public name, and `_without_jit`, is importable from
`reports.kpis` as before):
- definitions: the scope, FIGURES (one `Q` per figure), HEADLINES and the breakdown DIMENSIONS;
- aggregates: the definitions counted per period in a fixed number of queries (period_figures);
- sections: breakdowns, SLA and OLA compliance, technicians, oldest open, major incidents, the annex;
- month: month_report, the whole month as the dashboard, the API and a report run see it.
"""

from __future__ import annotations

from .aggregates import (
    Median,
    _figures,
    change,
    compliance_cells,
    medians,
    period_figures,
    technician_count,
)
from .definitions import (
    ALL,
    ANNEX_LIMIT,
    COUNTING_RULES,
    DEFINITIONS,
    DIMENSIONS,
    EXECUTIVE_FIVE,
    FIGURES,
    HEADLINE_BY_KEY,
    HEADLINES,
    HOUR,
    NOT_WITHDRAWN,
    OLDEST_OPEN,
    TABLE_DEFINITIONS,
    TOP_SERVICES,
    Dimension,
    Figure,
    Headline,
    Scope,
    clock_q,
    closed_q,
    definition_rows,
    headline_rows,
    logged_q,
    major_q,
    measured_q,
    open_at_q,
    overdue_at_q,
    resolved_q,
    status_at,
    tickets_behind,
    withdrawn_q,
)
from .month import (
    _without_jit,
    month_report,
    stored_report,
)
from .sections import (
    breached_tickets,
    breakdown,
    breakdowns,
    major_incidents,
    oldest_open,
    operational_compliance,
    sla_breakdowns,
    technicians,
)

__all__ = [
    "ALL",
    "ANNEX_LIMIT",
    "COUNTING_RULES",
    "DEFINITIONS",
    "DIMENSIONS",
    "EXECUTIVE_FIVE",
    "FIGURES",
    "HEADLINES",
    "HEADLINE_BY_KEY",
    "HOUR",
    "NOT_WITHDRAWN",
    "OLDEST_OPEN",
    "TABLE_DEFINITIONS",
    "TOP_SERVICES",
    "Dimension",
    "Figure",
    "Headline",
    "Median",
    "Scope",
    "_figures",
    "_without_jit",
    "breached_tickets",
    "breakdown",
    "breakdowns",
    "change",
    "clock_q",
    "closed_q",
    "compliance_cells",
    "definition_rows",
    "headline_rows",
    "logged_q",
    "major_incidents",
    "major_q",
    "measured_q",
    "medians",
    "month_report",
    "oldest_open",
    "open_at_q",
    "operational_compliance",
    "overdue_at_q",
    "period_figures",
    "resolved_q",
    "sla_breakdowns",
    "status_at",
    "stored_report",
    "technician_count",
    "technicians",
    "tickets_behind",
    "withdrawn_q",
]
