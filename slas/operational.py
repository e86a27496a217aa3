"""Operational level agreements (OLAs) and underpinning contracts (UCs): the clocks of the time a support
group or an outside supplier holds a ticket, measured against what it promised the service desk.

`incidents` cuts the ticket's history into holdings (slas.operational.Holding: who held it, from when to
when, and the HistoryPoints in between) and `operational_clocks_update` replays each holding with the very
replay the SLA clocks use (slas.clocks.clocks_derive), so pauses, priority changes and reopens are counted
the same way everywhere. What differs is only what starts and stops the clock (docs/sla.md):

- OLA (support group): starts when the group receives the ticket; the *response* clock stops when one of
  its members takes it, the *resolution* clock when the ticket is resolved; both stop when the group hands
  the ticket to another group. Paused while the ticket is pending (on the requester or a supplier).
- UC (supplier): starts when the ticket is referred to the supplier (pending on a third party) and stops
  when the ticket is handed back (leaves pending) or resolved. It has a resolution ("restore") target only
  and is never paused: waiting on the supplier is exactly the time the contract is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from .business_time import CalendarSpec
from .calendars import calendar_spec
from .clocks import HistoryPoint, clocks_derive
from .models import ClockKind, OperationalAgreement, OperationalClock, OperationalTarget
from .outcomes import clock_outcome  # noqa: F401  (the one definition; incidents.api.tickets reads it here)


@dataclass(frozen=True)
class Holding:
    """A support group or supplier holding a ticket. `points[i].sla_id` carries the agreement's id; a
    holding that ended (`ended_at`) has a last point that stops its clocks."""

    agreement_id: int
    started_at: datetime
    ended_at: datetime | None
    points: tuple[HistoryPoint, ...]


def agreements_by_party() -> tuple[dict[str, int], dict[str, int]]:
    """({group name: OLA id}, {supplier name: UC id}): history records who held a ticket by name."""
    groups: dict[str, int] = {}
    suppliers: dict[str, int] = {}
    for pk, kind, group, supplier in OperationalAgreement.objects.values_list(
        "pk", "kind", "group__name", "supplier__name"
    ):
        if kind == OperationalAgreement.Kind.OLA and group:
            groups[group] = pk
        elif kind == OperationalAgreement.Kind.UC and supplier:
            suppliers[supplier] = pk
    return groups, suppliers


@transaction.atomic
def operational_clocks_update(*, ticket_id: int, holdings: list[Holding]) -> list[OperationalClock]:
    """Replace the ticket's operational clocks with those derived from its holdings (a holding under an
    agreement with no target for one of its priorities is not measured: admin must complete the targets)."""
    if not holdings:
        OperationalClock.objects.filter(ticket_id=ticket_id).delete()
        return []
    agreement_ids = {holding.agreement_id for holding in holdings}
    targets: dict[tuple[int, int], OperationalTarget] = {
        (target.agreement_id, target.priority): target
        for target in OperationalTarget.objects.filter(agreement_id__in=agreement_ids)
    }
    calendars = dict(
        OperationalAgreement.objects.filter(pk__in=agreement_ids).values_list("pk", "calendar_id")
    )

    def spec_for(agreement_id: int) -> CalendarSpec:
        return calendar_spec(calendars[agreement_id])

    def target_for(agreement_id: int, priority: int, kind: str) -> timedelta:
        target = targets[(agreement_id, priority)]
        minutes = target.response_minutes if kind == ClockKind.RESPONSE else None
        return timedelta(minutes=minutes or target.resolution_minutes)

    rows = []
    for holding in holdings:
        if any((holding.agreement_id, point.priority) not in targets for point in holding.points):
            continue
        results = clocks_derive(list(holding.points), spec_for, target_for)
        for kind, result in results.items():
            last_target = targets[(holding.agreement_id, result.priority)]
            if kind == ClockKind.RESPONSE and last_target.response_minutes is None:
                continue  # a supplier promises a restore time only
            rows.append(
                OperationalClock(
                    ticket_id=ticket_id,
                    agreement_id=holding.agreement_id,
                    kind=kind,
                    held_from=holding.started_at,
                    held_until=holding.ended_at,
                    priority=result.priority,
                    target_minutes=int(result.target.total_seconds() // 60),
                    state=result.state,
                    elapsed_seconds=int(result.elapsed.total_seconds()),
                    state_since=result.state_since,
                    due_at=result.due_at,
                    breached_at=result.breached_at,
                    stopped_at=result.stopped_at,
                )
            )
    OperationalClock.objects.filter(ticket_id=ticket_id).delete()
    return OperationalClock.objects.bulk_create(rows)


def ticket_operational_clocks(ticket_id: int) -> list[OperationalClock]:
    """The ticket's OLA and underpinning-contract clocks with their agreements, oldest holding first (one
    query)."""
    return list(
        OperationalClock.objects.filter(ticket_id=ticket_id)
        .select_related("agreement__group", "agreement__supplier", "agreement__calendar")
        .order_by("held_from", "agreement__name", "kind")
    )
