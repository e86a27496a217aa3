"""A change's risk from likelihood x impact: one matrix (RiskMatrixCell rows, editable in admin)."""

from __future__ import annotations

from .models import Level, RiskMatrixCell

# The shipped matrix (the migration seeds it); used when a cell is missing.
DEFAULT_MATRIX: dict[tuple[str, str], str] = {
    (Level.LOW, Level.LOW): Level.LOW,
    (Level.LOW, Level.MEDIUM): Level.LOW,
    (Level.LOW, Level.HIGH): Level.MEDIUM,
    (Level.MEDIUM, Level.LOW): Level.LOW,
    (Level.MEDIUM, Level.MEDIUM): Level.MEDIUM,
    (Level.MEDIUM, Level.HIGH): Level.HIGH,
    (Level.HIGH, Level.LOW): Level.MEDIUM,
    (Level.HIGH, Level.MEDIUM): Level.HIGH,
    (Level.HIGH, Level.HIGH): Level.HIGH,
}


def risk_for(*, likelihood: str, impact: str) -> str:
    cell = RiskMatrixCell.objects.filter(likelihood=likelihood, impact=impact).values_list("risk", flat=True)
    return cell.first() or DEFAULT_MATRIX[(likelihood, impact)]


def approvals_needed(*, change_type: str, risk: str) -> int:
    """A normal change of high risk needs two approvals; any other change that is approved needs one."""
    from .models import ChangeType

    return 2 if change_type == ChangeType.NORMAL and risk == Level.HIGH else 1
