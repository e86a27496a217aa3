"""Whether a service may move through its lifecycle now: the lifecycle table, then a registered guard.

The portfolio's own rule (pipeline -> live -> retired) is `services.LIFECYCLE_TRANSITIONS`. Change
management adds one more: a service goes live, or is retired, only through an implemented change that
names it (issue 18). `changes` owns that rule and `catalogue` may not import it, so `changes` registers
its guard at start-up (`ChangesConfig.ready`), as `slas` registers the catalogue's targets and the
working-day rule. Every move asks `transition_refusal` (the service status API and admin action through
`services.service_change_status`, the catalogue CSV import, the admin's explanation), so the rule has
one place. With no guard registered only the lifecycle table decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (service, new status) -> why the move is refused now, or None when the guard allows it.
TransitionGuard = Callable[[Any, str], "str | None"]

_guard: TransitionGuard | None = None


def register_transition_guard(guard: TransitionGuard | None) -> None:
    """Set the one guard (a later registration replaces an earlier one; None removes it)."""
    global _guard
    _guard = guard


def guarded() -> bool:
    return _guard is not None


def transition_refusal(service: Any, status: str) -> str | None:
    """Why `service` may not become `status` now, in plain words; None when it may."""
    from .models import Lifecycle
    from .services import lifecycle_allows

    # A new service starts in the pipeline: creating it live or retired is a move from there.
    current = service.status if service.pk else Lifecycle.PIPELINE
    if current == status:
        return None
    if not lifecycle_allows(current, status):
        now, then = Lifecycle(current).label.lower(), Lifecycle(status).label.lower()
        return f"{service.name} is {now}; it cannot become {then}."
    if _guard is None:
        return None
    return _guard(service, status)


def next_steps_explained(service: Any) -> list[tuple[str, str | None]]:
    """For the admin: each lifecycle step open to the service by the table, with why it is refused now
    (None: the step may be taken)."""
    from .services import LIFECYCLE_TRANSITIONS

    return [
        (status, transition_refusal(service, status))
        for status in sorted(LIFECYCLE_TRANSITIONS.get(service.status, frozenset()))
    ]
