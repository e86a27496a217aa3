"""The catalogue page's response and fix times, provided by `slas` through catalogue.targets.

`catalogue` sits to the left of `slas` and may not import it, so `slas` registers this provider at start-up
(SlasConfig.ready calls `register()`); docs/architecture.md lists the hook among the exceptions to the
arrow.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalogue.targets import PriorityTarget, ServiceTargets, register_targets_provider

from .agreements import calendar_in_words, target_in_words, targets_by_service


def service_targets(service_ids: Sequence[int]) -> dict[int, ServiceTargets]:
    """Each service's agreement and targets in words, in a fixed number of queries (targets_by_service)."""
    described: dict[int, ServiceTargets] = {}  # one per agreement: services share them
    result = {}
    for service_id, (sla, targets) in targets_by_service(service_ids).items():
        if sla.pk not in described:
            calendar = sla.calendar
            described[sla.pk] = ServiceTargets(
                agreement=sla.name,
                hours=calendar_in_words(calendar),
                targets=tuple(
                    PriorityTarget(
                        priority=target.priority,
                        response=target_in_words(target.response_minutes, calendar),
                        resolution=target_in_words(target.resolution_minutes, calendar),
                    )
                    for target in targets
                ),
            )
        result[service_id] = described[sla.pk]
    return result


def register() -> None:
    """Called once from SlasConfig.ready."""
    register_targets_provider(service_targets)
