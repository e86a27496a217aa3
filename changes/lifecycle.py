"""The change lifecycle: the one table of allowed status changes, who may make each, for which types.

draft -> submitted -> assessed -> approved / rejected -> scheduled -> in progress -> implemented ->
reviewed -> closed, and cancelled. A standard change is pre-approved (draft -> scheduled); an emergency
change may start at once (submitted -> in progress) and is approved after the fact. `services._move` is
the only code that applies the table; approvals move assessed -> approved through `change_decide`.
"""

from __future__ import annotations

from dataclasses import dataclass

from common import access

from .models import ChangeStatus as S
from .models import ChangeType as T

WORK = "change.work"  # plan and carry out changes: Technician, ICT Manager, Admin (common.access)
APPROVE = "change.approve"  # assess, approve, review: ICT Manager and the Change Advisory role
SYSTEM = "system"  # an edit of an approved change's plan or dates sends it back to assessment

ALL_TYPES = frozenset(T.values)


@dataclass(frozen=True)
class Transition:
    name: str
    by: frozenset[str]
    types: frozenset[str] = ALL_TYPES


def _t(name: str, *by: str, types: tuple[str, ...] = ()) -> Transition:
    return Transition(name, frozenset(by), frozenset(types) or ALL_TYPES)


APPROVAL_STEPS = {(S.ASSESSED, S.APPROVED), (S.ASSESSED, S.REJECTED)}

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, S.SUBMITTED): _t("Submit", WORK, types=(T.NORMAL, T.EMERGENCY)),
    # A standard change is pre-approved: its template was approved once.
    (S.DRAFT, S.SCHEDULED): _t("Schedule (pre-approved)", WORK, types=(T.STANDARD,)),
    (S.SUBMITTED, S.ASSESSED): _t("Assess", APPROVE, types=(T.NORMAL, T.EMERGENCY)),
    # Emergency work starts at once; its approval is recorded afterwards, within a deadline.
    (S.SUBMITTED, S.IN_PROGRESS): _t("Start emergency work", WORK, types=(T.EMERGENCY,)),
    (S.ASSESSED, S.APPROVED): _t("Approve", APPROVE, types=(T.NORMAL, T.EMERGENCY)),
    (S.ASSESSED, S.REJECTED): _t("Reject", APPROVE, types=(T.NORMAL, T.EMERGENCY)),
    (S.REJECTED, S.DRAFT): _t("Rework", WORK),
    (S.APPROVED, S.SCHEDULED): _t("Schedule", WORK),
    (S.APPROVED, S.ASSESSED): _t("Back to assessment", SYSTEM),
    (S.SCHEDULED, S.ASSESSED): _t("Back to assessment", SYSTEM, types=(T.NORMAL, T.EMERGENCY)),
    (S.SCHEDULED, S.IN_PROGRESS): _t("Start work", WORK),
    (S.IN_PROGRESS, S.IMPLEMENTED): _t("Record the outcome", WORK),
    (S.IMPLEMENTED, S.REVIEWED): _t("Review", APPROVE),
    (S.REVIEWED, S.CLOSED): _t("Close", APPROVE),
    **{
        (status, S.CANCELLED): _t("Cancel", WORK, APPROVE)
        for status in (S.DRAFT, S.SUBMITTED, S.ASSESSED, S.APPROVED, S.SCHEDULED)
    },
}


def transition(current: str, new: str, change_type: str) -> Transition | None:
    step = TRANSITIONS.get((current, new))
    return step if step is not None and change_type in step.types else None


def parties_of(user) -> frozenset[str]:
    """The parties of the table the user acts as (from the access table's actions)."""
    parties = set()
    if access.may(user, "change.work"):
        parties.add(WORK)
    if access.may(user, "change.approve"):
        parties.add(APPROVE)
    return frozenset(parties)


def allowed_steps(current: str, change_type: str, parties: frozenset[str]) -> list[tuple[str, Transition]]:
    """(target status, step) the parties may take from `current`, in the table's order."""
    return [
        (to, step)
        for (frm, to), step in TRANSITIONS.items()
        if frm == current and change_type in step.types and step.by & parties
    ]
