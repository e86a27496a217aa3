"""The mail outbox (common/outbox.py): one row per idempotency key, sent after commit, once, whoever
sends (the task, the sweep, a task handed out twice), retried while SMTP is down."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError, transaction
from django.utils import timezone

from common import outbox
from common.models import Notification
from common.outbox import notification_deliver, notification_send, notifications_deliver_unsent
from common.tasks import deliver_notification, deliver_unsent_notifications
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def queue(key="test:1", to="thandeka@mbashe.gov.za"):
    notification_send(key=key, to_address=to, subject="Hello\r\nBcc: all@x.org", body_text="Body")
    return Notification.objects.get(key=key)


def age(notification, seconds=300):
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_the_same_key_twice_is_one_row_queued_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert notification_send(key="k", to_address="a@b.org", subject="S", body_text="B") is True
        assert notification_send(key="k", to_address="a@b.org", subject="S", body_text="B") is False
    assert Notification.objects.filter(key="k").count() == 1
    assert len(callbacks) == 1  # one delivery, queued after commit
    assert Notification.objects.get(key="k").subject == "S"


def test_a_subject_is_one_header_line():
    assert "\n" not in queue().subject


def test_nothing_without_an_address():
    assert notification_send(key="k", to_address="", subject="S", body_text="B") is False
    assert not Notification.objects.exists()


def test_mail_is_sent_once_even_if_the_task_runs_twice(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = TicketFactory(requester=staff_user)
    notification = Notification.objects.get(key=f"t{ticket.pk}:logged:requester")
    assert callbacks, "the send is queued after commit"
    assert notification.about == ticket

    assert deliver_notification(notification.pk) is True
    assert deliver_notification(notification.pk) is False

    sent = [m for m in mail.outbox if m.to == [staff_user.email]]
    assert len(sent) == 1
    assert ticket.reference in sent[0].subject
    assert sent[0].alternatives[0][1] == "text/html"
    notification.refresh_from_db()
    assert (notification.attempts, notification.claimed_until, notification.last_error) == (1, None, "")


def test_a_rolled_back_change_sends_nothing(staff_user, django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        TicketFactory(requester=staff_user)
        raise Abort
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("SMTP went away")


def test_the_sweep_retries_unsent_mail(settings):
    notification = queue()
    settings.EMAIL_BACKEND = "tests.common.test_outbox.FailingBackend"
    assert notification_deliver(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert (notification.attempts, notification.sent_at, notification.claimed_until) == (1, None, None)
    assert "SMTP" in notification.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    age(notification)
    assert deliver_unsent_notifications() == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 2


def test_the_sweep_leaves_young_mail_to_its_task():
    queue()
    assert notifications_deliver_unsent() == 0
    assert mail.outbox == []


def test_nobody_sends_a_mail_another_sender_holds():
    notification = queue()
    age(notification)
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5)
    )

    assert notification_deliver(notification_id=notification.pk) is False
    assert notifications_deliver_unsent() == 0
    assert mail.outbox == []


def test_a_mail_whose_sender_died_is_sent_when_its_lease_lapses():
    notification = queue()
    age(notification)
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )

    assert notifications_deliver_unsent() == 1
    assert len(mail.outbox) == 1


def test_a_mail_sent_but_not_marked_is_not_sent_again_by_the_sweep(monkeypatch):
    """Issue 14: the mark after a send fails (SQLite's "database is locked"); the sweep must not mail it
    again while the sender's lease runs."""
    notification = queue()
    real_mark = outbox._mark

    def lost_mark(notification_id, **fields):
        if "sent_at" in fields:
            raise OperationalError("database is locked")
        real_mark(notification_id, **fields)

    monkeypatch.setattr(outbox, "_mark", lost_mark)
    with pytest.raises(OperationalError):
        notification_deliver(notification_id=notification.pk)
    assert len(mail.outbox) == 1
    monkeypatch.setattr(outbox, "_mark", real_mark)

    age(notification)  # the sweep's grace period has passed
    assert notifications_deliver_unsent() == 0
    assert notification_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_mail_sent_again_carries_the_same_message_id():
    """A retry after a lost confirmation (lease lapsed) sends the same message, which mail programs show
    once."""
    notification = queue()
    assert notification_deliver(notification_id=notification.pk) is True
    Notification.objects.filter(pk=notification.pk).update(sent_at=None)  # as if the mark was lost
    assert notification_deliver(notification_id=notification.pk) is True
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].endswith("@mbashe.gov.za>")


def test_the_tasks_and_the_beat_schedule(settings):
    assert deliver_notification.name == "common.deliver_notification"
    schedule = settings.CELERY_BEAT_SCHEDULE["notifications-send-unsent"]
    assert schedule["task"] == deliver_unsent_notifications.name
