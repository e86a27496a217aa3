"""The ticket lifecycle: the one table of allowed status changes and who may make each.

new -> assigned -> in progress -> pending -> resolved -> closed, and reopened; services.py's
_status_move (through ticket_change_status, and ticket_assign for the "assign" step) is the only code
that applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import OPEN_STATUSES, Status

SUPPORT = "support"  # Technician, ICT Manager or Admin
REQUESTER = "requester"  # the person the ticket is for
SYSTEM = (
    "system"  # beat tasks (auto-close) and automatic moves (a requester's reply resumes a pending ticket)
)


@dataclass(frozen=True)
class Transition:
    name: str
    by: frozenset[str]


def _t(name: str, *by: str) -> Transition:
    return Transition(name, frozenset(by))


ASSIGN = "assign"  # the step a new or reopened ticket takes when given to a person (ticket_assign)

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Status.NEW, Status.ASSIGNED): _t(ASSIGN, SUPPORT),
    (Status.NEW, Status.IN_PROGRESS): _t("start work", SUPPORT),
    (Status.NEW, Status.PENDING): _t("wait", SUPPORT),
    (Status.NEW, Status.RESOLVED): _t("resolve", SUPPORT),
    (Status.ASSIGNED, Status.NEW): _t("unassign", SUPPORT),
    (Status.ASSIGNED, Status.IN_PROGRESS): _t("start work", SUPPORT),
    (Status.ASSIGNED, Status.PENDING): _t("wait", SUPPORT),
    (Status.ASSIGNED, Status.RESOLVED): _t("resolve", SUPPORT),
    (Status.IN_PROGRESS, Status.ASSIGNED): _t("hand over", SUPPORT),
    (Status.IN_PROGRESS, Status.PENDING): _t("wait", SUPPORT),
    (Status.IN_PROGRESS, Status.RESOLVED): _t("resolve", SUPPORT),
    (Status.PENDING, Status.IN_PROGRESS): _t("resume", SUPPORT, SYSTEM),
    (Status.PENDING, Status.ASSIGNED): _t("hand over", SUPPORT),
    (Status.PENDING, Status.RESOLVED): _t("resolve", SUPPORT),
    (Status.RESOLVED, Status.CLOSED): _t("close", SUPPORT, REQUESTER, SYSTEM),
    (Status.RESOLVED, Status.REOPENED): _t("reopen", SUPPORT, REQUESTER),
    (Status.REOPENED, Status.ASSIGNED): _t(ASSIGN, SUPPORT),
    (Status.REOPENED, Status.IN_PROGRESS): _t("start work", SUPPORT),
    (Status.REOPENED, Status.PENDING): _t("wait", SUPPORT),
    (Status.REOPENED, Status.RESOLVED): _t("resolve", SUPPORT),
    # A requester may withdraw a ticket that is still open.
    **{(status, Status.CLOSED): _t("withdraw", REQUESTER, SUPPORT) for status in OPEN_STATUSES},
}


def transition(current: str, new: str) -> Transition | None:
    return TRANSITIONS.get((current, new))


def status_on_assignment(current: str) -> bool:
    """Whether giving a ticket in `current` to a person moves it to Assigned: the table has an "assign"
    step from it (new and reopened tickets; a ticket in progress or pending keeps its status)."""
    step = transition(current, Status.ASSIGNED)
    return step is not None and step.name == ASSIGN


def allowed_targets(current: str, party: str) -> list[str]:
    """The statuses `party` may move a ticket in `current` to, in the table's order."""
    return [to for (frm, to), t in TRANSITIONS.items() if frm == current and party in t.by]
