"""Verbs of the SLA engine that run on their own: the beat sweep that records warnings and breaches."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from .models import SlaClock, SlaEvent
from .signals import sla_events_recorded

EVENT_FIELDS = ("ticket", "clock", "kind", "due_at", "recorded_at")


def sla_sweep(*, now: datetime | None = None, batch: int = 100) -> int:
    """Record every warning and breach that has fallen due; returns how many were recorded.

    Deadlines live in the database (SlaClock.next_event_at, indexed). Each batch claims its clocks with
    SELECT ... FOR UPDATE SKIP LOCKED, so two beat processes or a re-run after a crash never record an
    event twice; the unique constraint on SlaEvent makes that a guarantee rather than a hope. The batch's
    events and the mails they call for (sla_events_recorded, once per batch) commit together or not at
    all; batches are small so that a technician saving one of those tickets never waits long on a lock.

    A batch costs the same few queries whatever it holds (issue 22): its clocks are read in one query,
    its events written in one (`_events_record`), its clocks' next deadlines in one, and the receivers
    read and write per batch too; so a sweep's queries grow with its batches, not with its clocks.
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
            events = _events_record([event for clock in clocks for event in _events_due(clock, now)])
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


def _events_due(clock: SlaClock, now: datetime) -> list[SlaEvent]:
    """The clock's warning and breach that are due, as unsaved events recorded now."""
    return [
        SlaEvent(ticket_id=clock.ticket_id, clock=clock.kind, kind=kind, due_at=due, recorded_at=now)
        for kind, due in ((SlaEvent.Kind.WARNING, clock.warn_at), (SlaEvent.Kind.BREACH, clock.due_at))
        if due is not None and due <= now
    ]


def _events_record(events: list[SlaEvent]) -> list[SlaEvent]:
    """Insert the events in one statement and return those that were new, in the order given, with their
    ids. One already recorded (by another sweep, or before a restart) is left as it is: ON CONFLICT DO
    NOTHING on the unique (ticket, clock, kind), where each event used to cost a savepoint, an INSERT
    and a release (three queries)."""
    if not events:
        return []
    meta = SlaEvent._meta
    by_name = {field.name: field for field in meta.concrete_fields}
    fields = [by_name[name] for name in EVENT_FIELDS]
    pk_field = next(field for field in meta.concrete_fields if field.primary_key)
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    unique = ", ".join(columns[:3])  # ticket, clock, kind: sla_event_once_per_ticket_clock_kind
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO NOTHING RETURNING {}, {}".format(  # noqa: S608 (model and field names only)
        quote(meta.db_table),
        ", ".join(columns),
        ", ".join([row] * len(events)),
        unique,
        quote(pk_field.column),
        unique,
    )
    params = [
        field.get_db_prep_save(getattr(event, field.attname), connection)
        for event in events
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {(ticket_id, clock_kind, event_kind): pk for pk, ticket_id, clock_kind, event_kind in cursor}
    recorded = []
    for event in events:
        pk = ids.get((event.ticket_id, event.clock, event.kind))
        if pk is not None:
            event.pk = pk
            event._state.adding = False
            event._state.db = connection.alias
            recorded.append(event)
    return recorded
