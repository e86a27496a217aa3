"""Verbs of the SLA engine that run on their own: the beat sweep that records warnings and breaches."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SlaClock, SlaEvent
from .signals import sla_events_recorded


def sla_sweep(*, now: datetime | None = None, batch: int = 100) -> int:
    """Record every warning and breach that has fallen due; returns how many were recorded.

    Deadlines live in the database (SlaClock.next_event_at, indexed). Each batch claims its clocks with
    SELECT ... FOR UPDATE SKIP LOCKED, so two beat processes or a re-run after a crash never record an
    event twice; the unique constraint on SlaEvent makes that a guarantee rather than a hope. The batch's
    events and the mails they call for (sla_events_recorded, once per batch) commit together or not at
    all; batches are small so that a technician saving one of those tickets never waits long on a lock.
    """
    now = now or timezone.now()
    recorded = 0
    while True:
        with transaction.atomic():
            clocks = list(
                SlaClock.objects.select_for_update(skip_locked=True)
                .filter(next_event_at__lte=now)
                .order_by("next_event_at", "pk")[:batch]
            )
            events = [event for clock in clocks for event in _record_due(clock, now)]
            if clocks:
                for clock in clocks:
                    clock.next_event_at = (
                        None if clock.due_at is not None and clock.due_at <= now else clock.due_at
                    )
                SlaClock.objects.bulk_update(clocks, ["next_event_at"])
            if events:
                sla_events_recorded.send(sender=SlaEvent, events=events)
            recorded += len(events)
        if len(clocks) < batch:
            return recorded


def _record_due(clock: SlaClock, now: datetime) -> list[SlaEvent]:
    """The clock's warning and breach that are due and not recorded yet, recorded now."""
    recorded = []
    for kind, due in ((SlaEvent.Kind.WARNING, clock.warn_at), (SlaEvent.Kind.BREACH, clock.due_at)):
        if due is None or due > now:
            continue
        try:
            with transaction.atomic():
                recorded.append(
                    SlaEvent.objects.create(
                        ticket_id=clock.ticket_id, clock=clock.kind, kind=kind, due_at=due, recorded_at=now
                    )
                )
        except IntegrityError:
            continue  # recorded already (by another sweep, or before a restart)
    return recorded
