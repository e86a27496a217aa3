"""Met, breached, overdue: the one definition, for SLA clocks (SlaClock) and OLA and contract clocks
(OperationalClock) alike, in SQL and in Python.

Both forms are built from the same small table of conditions (LATE, OUTCOMES): `clock_late_q` and
`clock_outcome_case` turn it into a `Q` and a `Case` for querysets (reports, exports, the queue),
`clock_late` and `clock_outcome` evaluate it on one clock in Python (the ticket page, the API, mails).
Nothing else in the project decides whether a clock met, breached or is overdue; a test runs both forms
over the same clocks (tests/slas/test_outcomes.py).

The rule (docs/sla.md, docs/kpis.md):
- a **stopped** clock *met* its target when it recorded no breach (`breached_at` empty), else *breached*;
- a clock is **late by** an instant `at` when its target had run out by then: it recorded a breach at or
  before `at`, or it is running with its due time at or before `at` (a running clock records its breach
  only when the ticket next changes; the sweep mails it on time);
- the **outcome** of a clock at `at` (now by default): met, breached, overdue (late and not stopped),
  running, or paused.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any, Protocol

from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from .models import ClockState


class TimedClock(Protocol):
    """What the Python forms read: an SlaClock, an OperationalClock, or any object with these three."""

    @property
    def state(self) -> str: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def breached_at(self) -> datetime | None: ...


class Outcome:
    MET = "met"
    BREACHED = "breached"
    OVERDUE = "overdue"
    RUNNING = "running"
    PAUSED = "paused"


AT = object()  # stands for the instant asked about


@dataclass(frozen=True)
class Term:
    """One comparison of a clock's column: `field lookup value` (value may be AT)."""

    field: str
    lookup: str  # "exact", "lte" or "isnull"
    value: Any

    def q(self, at: datetime | None, via: str) -> Q:
        value = at if self.value is AT else self.value
        return Q(**{f"{via}{self.field}__{self.lookup}": value})

    def holds(self, clock: TimedClock, at: datetime | None) -> bool:
        """The term on one clock, with SQL's answer for an empty column (a comparison with NULL is not
        true)."""
        value = at if self.value is AT else self.value
        mine = getattr(clock, self.field)
        if self.lookup == "isnull":
            return (mine is None) == value
        if mine is None:
            return False
        compare: Callable[[Any, Any], bool] = {"exact": operator.eq, "lte": operator.le}[self.lookup]
        return compare(mine, value)


# A condition: any of its alternatives, each all of its terms.
Condition = tuple[tuple[Term, ...], ...]

STOPPED = (Term("state", "exact", ClockState.STOPPED),)
NO_BREACH = (Term("breached_at", "isnull", True),)
BREACH = (Term("breached_at", "isnull", False),)

LATE: Condition = (
    (Term("breached_at", "lte", AT),),
    (Term("state", "exact", ClockState.RUNNING), Term("due_at", "lte", AT)),
)
MET: Condition = (STOPPED + NO_BREACH,)
BREACHED: Condition = (STOPPED + BREACH,)

# In order: the first that holds is the clock's outcome; none holding means paused.
OUTCOMES: tuple[tuple[str, Condition], ...] = (
    (Outcome.MET, MET),
    (Outcome.BREACHED, BREACHED),
    (Outcome.OVERDUE, LATE),
    (Outcome.RUNNING, ((Term("state", "exact", ClockState.RUNNING),),)),
)
FALLBACK = Outcome.PAUSED


def _q(condition: Condition, at: datetime | None, via: str) -> Q:
    return reduce(
        operator.or_,
        (reduce(operator.and_, (term.q(at, via) for term in alternative)) for alternative in condition),
    )


def _holds(condition: Condition, clock: TimedClock, at: datetime | None) -> bool:
    return any(all(term.holds(clock, at) for term in alternative) for alternative in condition)


# --- SQL -------------------------------------------------------------------------------------------------


def clock_late_q(at: datetime, via: str = "") -> Q:
    """On a clock (or through a relation to one, via="resolution_clock__"): its target had run out by
    `at`."""
    return _q(LATE, at, via)


def clock_met_q(via: str = "") -> Q:
    """On a clock: it stopped within its target."""
    return _q(MET, None, via)


def clock_breached_q(via: str = "") -> Q:
    """On a clock: it stopped after its target had run out."""
    return _q(BREACHED, None, via)


def clock_outcome_case(at: datetime | None = None, via: str = "") -> Case:
    """The clock's outcome at `at` (now by default) as a column; NULL where there is no clock (a LEFT JOIN
    that found none)."""
    at = at or timezone.now()
    return Case(
        *(When(_q(condition, at, via), then=Value(outcome)) for outcome, condition in OUTCOMES),
        When(Q(**{f"{via}state__isnull": False}), then=Value(FALLBACK)),
        default=None,
        output_field=CharField(),
    )


# --- Python, one clock -----------------------------------------------------------------------------------


def clock_late(clock: TimedClock, at: datetime | None = None) -> bool:
    """One clock (anything with state, due_at and breached_at): its target had run out by `at`."""
    return _holds(LATE, clock, at or timezone.now())


def clock_met(clock: TimedClock) -> bool | None:
    """For a stopped clock: whether it stopped within its target; None while it has not stopped."""
    if not _holds((STOPPED,), clock, None):
        return None
    return _holds(MET, clock, None)


def clock_outcome(clock: TimedClock, at: datetime | None = None) -> str:
    """'met', 'breached', 'overdue', 'running' or 'paused' at `at` (now by default)."""
    at = at or timezone.now()
    return next((outcome for outcome, condition in OUTCOMES if _holds(condition, clock, at)), FALLBACK)
