"""The one rule that turns impact, urgency and the service's business weight into a priority.

Start from the impact x urgency matrix (data, edited in admin), then raise one level for a critical
service and one more when the ticket is logged inside one of the service's critical periods, never
above P1. The reason says every step in words a requester understands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .models import Criticality, Impact, PriorityMatrixCell, Urgency
from .periods import active_period

# ITIL's usual five-level matrix; the migration seeds it and admins may change the cells.
DEFAULT_MATRIX = {
    (Impact.HIGH, Urgency.HIGH): 1,
    (Impact.HIGH, Urgency.MEDIUM): 2,
    (Impact.HIGH, Urgency.LOW): 3,
    (Impact.MEDIUM, Urgency.HIGH): 2,
    (Impact.MEDIUM, Urgency.MEDIUM): 3,
    (Impact.MEDIUM, Urgency.LOW): 4,
    (Impact.LOW, Urgency.HIGH): 3,
    (Impact.LOW, Urgency.MEDIUM): 4,
    (Impact.LOW, Urgency.LOW): 5,
}


@dataclass(frozen=True)
class PriorityDecision:
    priority: int
    matrix_priority: int
    reason: str

    @property
    def label(self) -> str:
        return f"P{self.priority}"


def priority_for(
    *, impact: str, urgency: str, service=None, when: datetime | None = None
) -> PriorityDecision:
    """Priority of a ticket on `service` with this impact and urgency, logged at `when` (default: now)."""
    if impact not in Impact.values:
        raise ValueError(f"unknown impact {impact!r}")
    if urgency not in Urgency.values:
        raise ValueError(f"unknown urgency {urgency!r}")
    cell = (
        PriorityMatrixCell.objects.filter(impact=impact, urgency=urgency)
        .values_list("priority", flat=True)
        .first()
    )
    base = cell if cell is not None else DEFAULT_MATRIX[(impact, urgency)]
    priority = base
    reason = f"{impact} impact x {urgency} urgency"
    if service is not None:
        if service.criticality == Criticality.CRITICAL and priority > 1:
            reason += f", raised from P{priority}: {service.name} is a critical service"
            priority -= 1
        period = active_period(service.critical_periods.all(), when)
        if period is not None and priority > 1:
            reason += f", raised from P{priority}: {period.name}"
            priority -= 1
    return PriorityDecision(priority=priority, matrix_priority=base, reason=f"P{priority}: {reason}")
