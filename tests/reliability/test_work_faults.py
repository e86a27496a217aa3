"""Issue 7's reliability items beyond the SLA sweep (tests/reliability/test_sla_faults.py), against real
worker processes, Redis and PostgreSQL:

16. kill -9 a worker in the middle of a batch of mail and of a report build: the work completes later and
    no mail goes out as two different messages.
18. work queued inside a transaction that rolls back: nothing is queued, nothing is sent.
21. PostgreSQL killed right after a ticket was accepted (201): the ticket is there after the restart, and
    the server keeps fsync and synchronous_commit on.
(19, two beats, and 17, a flushed broker, are in test_sla_faults.py; 20, two technicians at once, is
tests/incidents/test_api_race.py.)
"""

import email
import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from common.models import Notification
from common.tasks import deliver_unsent_notifications as send_unsent_notifications
from incidents.models import Ticket
from tests.factories import TicketFactory

from .conftest import database_answers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
MAILS = 40


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    """Workers started after this write each mail to a file under it, slowly."""
    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "tests.reliability.slow_mail.SlowFileBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(folder))
    return folder


def sent_messages(folder: Path) -> list[email.message.Message]:
    messages = []
    for path in sorted(folder.iterdir()):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def test_worker_killed_in_the_middle_of_a_batch_of_mail(workers, mail_dir, migration_data, staff_user):
    ticket = TicketFactory(requester=staff_user)
    Notification.objects.all().delete()
    Notification.objects.bulk_create(
        Notification(
            key=f"fault-test:{n}",
            about=ticket,
            recipient=staff_user,
            to_address=f"person{n}@example.invalid",
            subject=f"Fault test {n}",
            body_text="Body",
        )
        for n in range(MAILS)
    )
    # Older than the unsent-mail sweep's grace period, as mail a lost task left behind would be.
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    worker = workers()
    send_unsent_notifications.apply_async(queue=workers.queue)
    wait_for(lambda: len(sent_messages(mail_dir)) >= 10, what="the batch to be under way")
    worker.kill()  # kill -9, mid-batch
    assert 0 < Notification.objects.filter(sent_at__isnull=False).count() < MAILS
    # Time passes: the lease on the one mail in flight when the worker died lapses (common.outbox).
    in_flight = Notification.objects.filter(sent_at__isnull=True, claimed_until__isnull=False)
    assert in_flight.count() <= 1
    in_flight.update(claimed_until=timezone.now() - timedelta(seconds=1))

    workers()
    send_unsent_notifications.apply_async(queue=workers.queue)  # beat's next sweep
    wait_for(
        lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
        timeout=120,
        what="every mail sent after the restart",
    )
    messages = sent_messages(mail_dir)
    by_recipient: dict[str, set[str]] = {}
    for message in messages:
        by_recipient.setdefault(message["To"], set()).add(message["Message-ID"])
    assert len(by_recipient) == MAILS  # every mail went out
    # Never two different messages for one mail: the one in flight when the worker died may have gone
    # out again, with the same Message-ID, which mail programs show once.
    assert all(len(ids) == 1 for ids in by_recipient.values())
    assert len(messages) <= MAILS + 1


def test_worker_killed_in_the_middle_of_a_report_build(workers, migration_data, staff_user, manager_user):
    from datetime import date

    from reports.models import ReportRun
    from reports.services import _stale_after, report_run_request, report_runs_resume
    from reports.tasks import build_report

    TicketFactory(requester=staff_user)
    today = timezone.localdate()
    month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)  # last month
    with transaction.atomic():
        run = report_run_request(month=month, by=manager_user)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")  # the request queued it on the default queue; this test's worker has its own

    worker = workers()
    build_report.apply_async(args=[run.pk], queue=workers.queue)
    wait_for(
        lambda: ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).exists(),
        interval=0.01,
        what="the build to start",
    )
    worker.kill()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and not run.pdf  # died mid-build

    # Time passes: the run's heartbeat goes stale and beat's sweep queues it again.
    ReportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - _stale_after() - timedelta(1))
    assert report_runs_resume() == 1
    broker.delete("celery")
    workers()
    build_report.apply_async(args=[run.pk], queue=workers.queue)
    wait_for(
        lambda: ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.DONE).exists(),
        timeout=120,
        what="the build to finish on the new worker",
    )
    run.refresh_from_db()
    assert run.pdf.read(4) == b"%PDF"
    assert run.xlsx.size > 0 and run.csv.size > 0


def pool_children(pid: int) -> list[int]:
    """The worker's pool processes (Linux /proc): the ones that run the tasks."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_a_report_build_whose_pool_process_is_killed_is_taken_over_at_once(
    workers, migration_data, staff_user, manager_user
):
    """Issue 16: the pool process building a report is killed (OOM killer, kill -9). Celery hands the
    task out again at once (reject-on-worker-lost); it used to be dropped because the run's heartbeat
    still looked fresh, leaving the run at "running" for 16-21 minutes. Now the task sees that the
    process holding the run is gone and builds it, with no time passing."""
    from datetime import date

    from reports.models import ReportRun
    from reports.services import report_run_request
    from reports.tasks import build_report

    TicketFactory(requester=staff_user)
    today = timezone.localdate()
    month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)  # last month
    with transaction.atomic():
        run = report_run_request(month=month, by=manager_user)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")  # the request queued it on the default queue; this test's worker has its own

    worker = workers()
    wait_for(lambda: pool_children(worker.process.pid), what="the worker's pool process")
    build_report.apply_async(args=[run.pk], queue=workers.queue)
    wait_for(
        lambda: ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).exists(),
        interval=0.01,
        what="the build to start",
    )
    [child] = pool_children(worker.process.pid)
    os.kill(child, signal.SIGKILL)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and not run.pdf  # died mid-build
    assert timezone.now() - run.heartbeat_at < timedelta(seconds=30)  # the heartbeat still looks fresh

    wait_for(
        lambda: ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.DONE).exists(),
        timeout=90,
        what="the task handed out again to take the build over",
    )
    run.refresh_from_db()
    assert run.pdf.read(4) == b"%PDF"


def test_a_rolled_back_transaction_queues_and_sends_nothing(workers, mail_dir, migration_data, staff_user):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    workers()
    queued_before = broker.llen("celery")
    with transaction.atomic():
        ticket = TicketFactory(requester=staff_user)  # queues its mails after commit
        assert Notification.objects.filter(ticket=ticket).exists()
        transaction.set_rollback(True)
    assert broker.llen("celery") == queued_before
    assert not Notification.objects.exists()
    send_unsent_notifications.apply_async(queue=workers.queue)
    wait_for(lambda: broker.llen(workers.queue) == 0, what="the sweep to be taken")
    assert list(mail_dir.iterdir()) == []


def test_postgresql_killed_right_after_a_ticket_was_accepted(throwaway_postgres, migration_data, staff_user):
    from rest_framework.test import APIClient

    from catalogue.models import Service
    from sites.models import Site

    with connection.cursor() as cursor:
        cursor.execute("SHOW fsync")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    service = Service.objects.filter(status="live", offers_incidents=True).order_by("pk").first()
    api = APIClient()
    api.force_authenticate(staff_user)
    answer = api.post(
        "/api/tickets/",
        {
            "service": service.pk,
            "site": Site.objects.get(name="Dutywa Main Building").pk,
            "summary": "Accepted just before the crash",
            "description": "The database dies right after saying yes.",
            "impact": "medium",
            "urgency": "medium",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]

    connection.close()
    # The test's own cluster (tests/reliability/throwaway_postgres.py), never the machine's server: it
    # stops without a checkpoint, as if killed, and recovers from its WAL.
    throwaway_postgres.kill()
    assert not database_answers()
    throwaway_postgres.start()
    wait_for(database_answers, timeout=60, what="PostgreSQL back")
    ticket = Ticket.objects.get(pk=pk)
    assert ticket.summary == "Accepted just before the crash"
    assert ticket.events.exists() and ticket.sla_clocks.count() == 2
