"""The problem lifecycle: the one table of allowed status changes.

logged -> under investigation -> known error -> resolved -> closed; a resolved problem may be reopened
(back under investigation) when the fault comes back. services.problem_change_status is the only code
that applies it; recording a workaround on a problem still being investigated takes the "known error"
step itself (services.problem_update).
"""

from __future__ import annotations

from .models import ProblemStatus as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.LOGGED, S.INVESTIGATING): "start investigating",
    (S.LOGGED, S.KNOWN_ERROR): "record as a known error",
    (S.LOGGED, S.RESOLVED): "resolve",
    (S.LOGGED, S.CLOSED): "close without a fix",
    (S.INVESTIGATING, S.KNOWN_ERROR): "record as a known error",
    (S.INVESTIGATING, S.RESOLVED): "resolve",
    (S.INVESTIGATING, S.CLOSED): "close without a fix",
    (S.KNOWN_ERROR, S.INVESTIGATING): "investigate again",
    (S.KNOWN_ERROR, S.RESOLVED): "resolve",
    (S.KNOWN_ERROR, S.CLOSED): "close without a fix",
    (S.RESOLVED, S.CLOSED): "close",
    (S.RESOLVED, S.INVESTIGATING): "reopen",
}

# What each target asks for before the move is allowed (services checks, forms say it).
NEEDS: dict[str, tuple[str, ...]] = {
    S.KNOWN_ERROR: ("workaround",),
    S.RESOLVED: ("root_cause", "root_cause_category", "permanent_fix"),
}


def transition(current: str, new: str) -> str | None:
    return TRANSITIONS.get((current, new))


def allowed_targets(current: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == current]
