"""SLA review reminders: each ICT manager gets one mail per agreement and review date, 30 days before it,
whatever the re-runs, the worker count or a mail server that was down. The mails go through the outbox
(common.outbox); `remind` below delivers what it queued, as the worker does after commit.

Needs ServiceLevelAgreement.review_reminded_for (a nullable DateField) and its migration.
"""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection, connections

from common import access as roles
from common.models import Notification
from common.outbox import notification_deliver, notifications_deliver_unsent
from common.tasks import deliver_notifications
from slas import reviews
from slas.models import ServiceLevelAgreement
from slas.signals import agreement_changed
from slas.tasks import review_reminders
from tests.factories import ServiceLevelAgreementFactory, UserFactory

TODAY = date(2027, 5, 31)  # the shipped agreements are reviewed on 30 June 2027: 30 days later


@pytest.fixture
def migration_data(transactional_db):
    # A transactional test starts from an emptied database (the last one's flush removed the seeded rows).
    from tests.migration_data import load_migration_data

    load_migration_data()


@pytest.fixture
def managers(db):
    return [
        UserFactory(username="thandeka", role=roles.MANAGER),
        UserFactory(username="zola", role=roles.MANAGER),
    ]


@pytest.fixture
def not_managers(db):
    UserFactory(username="retired", role=roles.MANAGER, is_active=False)
    UserFactory(username="sipho", role=roles.TECHNICIAN)
    UserFactory(username="lwazi", role=roles.ADMIN)


def remind(today):
    """The daily run, then the outbox's deliveries that its commit queues."""
    count = reviews.sla_reviews_remind(today=today)
    for pk in Notification.objects.filter(sent_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        notification_deliver(notification_id=pk)
    return count


def reminded(name):
    return ServiceLevelAgreement.objects.values_list("review_reminded_for", flat=True).get(name=name)


@pytest.mark.django_db
def test_each_agreement_30_days_from_review_gets_one_mail_to_every_active_manager(managers, not_managers):
    sent = remind(TODAY)

    assert sent == 2
    assert sorted((message.subject, *message.to) for message in mail.outbox) == [
        ("SLA review due: “Critical services” is due for review on 30 June 2027", "thandeka@mbashe.invalid"),
        ("SLA review due: “Critical services” is due for review on 30 June 2027", "zola@mbashe.invalid"),
        ("SLA review due: “Standard” is due for review on 30 June 2027", "thandeka@mbashe.invalid"),
        ("SLA review due: “Standard” is due for review on 30 June 2027", "zola@mbashe.invalid"),
    ]
    for message in mail.outbox:
        assert "in 30 days, on 30 June 2027" in message.body
        assert "/admin/slas/servicelevelagreement/" in message.body
    critical = next(m for m in mail.outbox if "Critical" in m.subject)
    assert "Financial management system, Payroll and HR system, Site network link" in critical.body
    assert reminded("Standard") == reminded("Critical services") == date(2027, 6, 30)


@pytest.mark.django_db
def test_running_again_sends_nothing_more(managers):
    remind(TODAY)
    remind(TODAY)
    remind(TODAY + timedelta(days=10))

    assert len(mail.outbox) == 4  # two agreements, two managers


@pytest.mark.django_db
def test_nothing_is_sent_31_days_before(managers):
    assert remind(TODAY - timedelta(days=1)) == 0
    assert mail.outbox == []
    assert reminded("Standard") is None


@pytest.mark.django_db
def test_an_overdue_review_never_reminded_is_reminded_as_overdue(managers):
    ServiceLevelAgreementFactory(name="Printing contract", review_date=date(2027, 5, 1))

    remind(date(2027, 5, 10))

    assert [m.subject for m in mail.outbox] == [
        "SLA review overdue: “Printing contract” was due for review on 1 May 2027"
    ] * 2  # one to each manager
    assert "9 days ago" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_new_review_date_is_reminded_again(managers):
    remind(TODAY)
    ServiceLevelAgreement.objects.filter(name="Standard").update(review_date=date(2028, 6, 30))

    assert remind(date(2028, 5, 30)) == 0
    assert remind(date(2028, 5, 31)) == 1
    assert mail.outbox[-1].subject == "SLA review due: “Standard” is due for review on 30 June 2028"


@pytest.mark.django_db
def test_a_refused_mail_is_retried_by_the_outbox_and_the_reminder_is_not_claimed_again(managers, settings):
    settings.EMAIL_BACKEND = "tests.common.test_outbox.FailingBackend"
    assert remind(TODAY) == 2
    assert mail.outbox == []
    assert Notification.objects.filter(sent_at__isnull=True, last_error__contains="SMTP").count() == 4
    assert reminded("Standard") == reminded("Critical services") == date(2027, 6, 30)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reviews.sla_reviews_remind(today=TODAY + timedelta(days=1)) == 0  # claimed once per review date
    Notification.objects.update(
        created_at=Notification.objects.earliest("created_at").created_at.replace(year=2020)
    )
    assert notifications_deliver_unsent() == 4  # the outbox's sweep, when the mail server is back
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_without_a_manager_nothing_is_marked_and_the_first_manager_gets_it(caplog):
    assert remind(TODAY) == 0
    assert "no active ICT manager" in caplog.text
    assert reminded("Standard") is None

    UserFactory(username="thandeka", role=roles.MANAGER)

    assert remind(TODAY + timedelta(days=1)) == 2


@pytest.mark.django_db
def test_the_marker_is_not_an_agreement_change(managers):
    announced = []

    def receiver(sender, sla_ids=None, **kwargs):
        announced.append(sla_ids)

    history_rows = ServiceLevelAgreement.history.count()
    agreement_changed.connect(receiver, dispatch_uid="test-reviews")
    try:
        remind(TODAY)
    finally:
        agreement_changed.disconnect(dispatch_uid="test-reviews")

    assert announced == []  # no recalculation of every open ticket for a reminder
    assert ServiceLevelAgreement.history.count() == history_rows  # a marker, not an edit of the agreement


@pytest.mark.django_db
def test_the_celery_task_runs_the_reminders(managers, monkeypatch):
    monkeypatch.setattr(reviews.timezone, "localdate", lambda: TODAY)

    assert review_reminders.run() == 2
    assert review_reminders.name == "slas.review_reminders"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_mail(migration_data, managers, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE SKIP LOCKED) need PostgreSQL")
    ServiceLevelAgreement.objects.exclude(name="Standard").update(review_date=date(2030, 1, 1))
    sending, release = threading.Event(), threading.Event()
    real_send = reviews.notification_send

    def slow_send(**kwargs):
        sending.set()
        release.wait(10)  # the first worker holds the row lock while it writes the mails
        return real_send(**kwargs)

    monkeypatch.setattr(reviews, "notification_send", slow_send)
    # The outbox queues its deliveries after commit, which really happens here: keep them off the broker.
    monkeypatch.setattr(deliver_notifications, "apply_async", lambda *args, **kwargs: None)
    results = {}

    def worker(name):
        try:
            results[name] = reviews.sla_reviews_remind(today=TODAY)
        except Exception as exc:  # reported below, not lost in the thread
            results[name] = exc
            sending.set()
        finally:
            connections.close_all()

    first = threading.Thread(target=worker, args=("first",))
    first.start()
    assert sending.wait(10)
    assert "first" not in results, results
    second = threading.Thread(target=worker, args=("second",))
    second.start()
    second.join(10)  # skips the locked row at once instead of waiting
    assert not second.is_alive()
    release.set()
    first.join(10)

    assert results == {"first": 1, "second": 0}
    assert Notification.objects.count() == 2  # the one agreement, to each of the two managers
    assert reminded("Standard") == date(2027, 6, 30)
