"""The response and fix times the catalogue shows for each service, from whoever provides them.

The promises themselves belong to `slas`, which sits to the right of `catalogue` (docs/architecture.md):
the catalogue may not import it. So `slas` registers a provider at start-up
(slas/catalogue_targets.py, called from SlasConfig.ready) and the catalogue pages ask `targets_for`. With
no provider registered, the pages simply show no targets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PriorityTarget:
    """One priority's two targets, already in words ("30 minutes", "4 business hours")."""

    priority: int
    response: str
    resolution: str

    @property
    def sentence(self) -> str:
        return (
            f"a P{self.priority} gets a first response within {self.response} "
            f"and a fix within {self.resolution}"
        )


@dataclass(frozen=True)
class ServiceTargets:
    """What a service's agreement promises: its name, when its clock counts, and the targets, P1 first."""

    agreement: str
    hours: str  # e.g. "Monday to Friday 08:00-16:30, except public holidays"
    targets: tuple[PriorityTarget, ...]


TargetsProvider = Callable[[Sequence[int]], Mapping[int, ServiceTargets]]

_provider: TargetsProvider | None = None


def register_targets_provider(provider: TargetsProvider | None) -> None:
    """Set the one provider (a later registration replaces an earlier one; None removes it).

    The provider takes service ids and answers in a fixed number of queries, whatever their number: the
    catalogue page's query count must not grow with the services it lists.
    """
    global _provider
    _provider = provider


def targets_for(service_ids: Iterable[int]) -> dict[int, ServiceTargets]:
    """Targets by service id; services no agreement covers are left out; {} when nobody provides them."""
    ids = list(service_ids)
    if _provider is None or not ids:
        return {}
    return dict(_provider(ids))
