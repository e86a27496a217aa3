"""The one rule that turns impact, urgency and the service's business weight into a priority.

Start from the impact x urgency matrix (data, edited in admin), then raise one level for a critical
service and one more when the ticket is logged inside one of the service's critical periods, never
above P1. The reason says every step in words a requester understands.

Two ways in, both through `priority_for`:
- a person reporting a fault answers one plain question, "How bad is it?" (`HowBad`); `HOW_BAD` maps
  each answer onto one impact and urgency (docs/decisions/0013-log-a-ticket-on-a-phone.md);
- a service request asks neither: it takes its service's `request_impact` and `request_urgency`
  (`request_priority_for`), so a service's default priority is two cells of the same matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models

from .critical_periods import active_period
from .models import Criticality, Impact, PriorityMatrixCell, Urgency

# ITIL's usual five-level matrix; the migration seeds it and admins may change the cells.
DEFAULT_MATRIX: dict[tuple[str, str], int] = {
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


class HowBad(models.TextChoices):
    """The log form's one question about a fault, smallest answer first (the most common one)."""

    SLOWED = "slowed", "It slows me down, but I can still work"
    STOPPED = "stopped", "I cannot work"
    TEAM = "team", "Several people or a whole team cannot work"
    SITE = "site", "A whole site, or a service to the public, has stopped"


HOW_BAD_QUESTION = "How bad is it?"

# (impact, urgency) of each answer: the matrix's diagonal from P4 up to P1 (with the default matrix:
# slowed P4, stopped P3, team P2, site P1). Technicians refine impact and urgency on the ticket page.
HOW_BAD = {
    HowBad.SLOWED: (Impact.LOW, Urgency.MEDIUM),
    HowBad.STOPPED: (Impact.LOW, Urgency.HIGH),
    HowBad.TEAM: (Impact.MEDIUM, Urgency.HIGH),
    HowBad.SITE: (Impact.HIGH, Urgency.HIGH),
}


def impact_and_urgency(how_bad: str) -> tuple[str, str]:
    """The impact and urgency an answer to "How bad is it?" stands for."""
    try:
        impact, urgency = HOW_BAD[HowBad(how_bad)]
    except ValueError:
        raise ValueError(f"unknown answer {how_bad!r}") from None
    return str(impact), str(urgency)


def request_priority_for(*, service, when: datetime | None = None) -> PriorityDecision:
    """A service request's priority: its service's default impact and urgency, through the matrix."""
    decision = priority_for(
        impact=service.request_impact, urgency=service.request_urgency, service=service, when=when
    )
    return PriorityDecision(
        priority=decision.priority,
        matrix_priority=decision.matrix_priority,
        reason=f"{decision.reason} (the service's default for requests)",
    )
