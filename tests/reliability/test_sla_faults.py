"""Warnings and breaches survive any restart: a worker killed mid-sweep, a flushed broker, two beats at
once, PostgreSQL restarted. After each, every due event is recorded exactly once."""

import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from incidents.models import Status, Ticket
from slas.models import SlaClock, SlaEvent
from slas.tasks import sweep
from tests.factories import TicketFactory

from .conftest import database_answers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
TICKETS = 300


@pytest.fixture
def due_clocks(migration_data, staff_user):
    """TICKETS open tickets whose resolution clock passed both 75 % and 100 % a day ago."""
    template = TicketFactory(requester=staff_user)
    past = timezone.now() - timedelta(days=1)
    fields = {
        f.name: getattr(template, f.name)
        for f in Ticket._meta.concrete_fields
        if f.name not in ("id", "created_at", "updated_at")
    }
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(**{**fields, "summary": f"Elliotdale link down {n}", "status": Status.NEW})
            for n in range(TICKETS)
        ]
    )
    SlaClock.objects.filter(ticket=template).delete()
    Ticket.objects.filter(pk=template.pk).update(status=Status.CLOSED, resolution_code="withdrawn")
    SlaClock.objects.bulk_create(
        [
            SlaClock(
                ticket=ticket,
                kind="resolution",
                sla=template.sla,
                priority=1,
                target_minutes=240,
                state="running",
                elapsed_seconds=0,
                state_since=past,
                warn_at=past + timedelta(hours=3),
                due_at=past + timedelta(hours=4),
                next_event_at=past + timedelta(hours=3),
            )
            for ticket in tickets
        ]
    )
    return tickets


def events():
    return SlaEvent.objects.count()


def assert_each_recorded_once(tickets):
    assert SlaEvent.objects.filter(kind="warning").count() == len(tickets)
    assert SlaEvent.objects.filter(kind="breach").count() == len(tickets)
    assert not SlaClock.objects.filter(next_event_at__isnull=False).exists()


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    # Small transactions so a sweep is visibly half done when it is interrupted.
    monkeypatch.setenv("SLA_SWEEP_BATCH", "10")


def test_worker_killed_mid_sweep(workers, due_clocks):
    worker = workers()
    sweep.apply_async(queue=workers.queue)
    wait_for(lambda: events() >= 40, what="the sweep to be under way")

    worker.kill()  # kill -9, the pool children with it
    half = events()
    assert 0 < half < 2 * TICKETS

    workers()
    sweep.apply_async(queue=workers.queue)  # beat's next sweep
    wait_for(lambda: events() == 2 * TICKETS, what="every event recorded")
    time.sleep(1)
    assert_each_recorded_once(due_clocks)


def test_broker_flushed_before_the_work_ran(workers, due_clocks):
    sweep.apply_async(queue=workers.queue)  # queued, no worker yet
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    assert broker.llen(workers.queue) == 1
    broker.flushdb()  # the queued sweep is gone
    assert broker.llen(workers.queue) == 0

    workers()
    sweep.apply_async(queue=workers.queue)  # beat sends the next one; the deadlines are in PostgreSQL
    wait_for(lambda: events() == 2 * TICKETS, what="every event recorded after the flush")
    assert_each_recorded_once(due_clocks)


def test_two_beats_sweeping_at_once(workers, due_clocks):
    workers(concurrency=2)
    workers(concurrency=2)
    for _ in range(4):  # two beats, each firing twice
        sweep.apply_async(queue=workers.queue)
    wait_for(lambda: events() == 2 * TICKETS, what="every event recorded")
    time.sleep(2)  # let every sweep finish: none may add a second copy
    assert_each_recorded_once(due_clocks)


@pytest.fixture
def due_clocks_on_a_throwaway_server(throwaway_postgres, due_clocks):
    return due_clocks


def test_postgresql_restarted_mid_sweep(throwaway_postgres, due_clocks_on_a_throwaway_server, workers):
    due_clocks = due_clocks_on_a_throwaway_server
    workers()
    sweep.apply_async(queue=workers.queue)
    wait_for(lambda: events() >= 20, what="the sweep to be under way")

    connection.close()
    throwaway_postgres.restart()  # the test's own cluster, never the machine's server
    wait_for(database_answers, timeout=60, what="PostgreSQL back")

    sweep.apply_async(queue=workers.queue)  # the next beat tick
    wait_for(lambda: events() == 2 * TICKETS, what="every event recorded after the restart")
    assert_each_recorded_once(due_clocks)
