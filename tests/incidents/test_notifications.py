"""Mail: recorded once per event and recipient, sent after commit, never an internal note to a requester,
header values cleaned, and a signed rating link that works without signing in."""

import pytest
from django.core import mail, signing
from django.db import transaction

from incidents import notifications, services
from incidents.models import Notification, Status
from incidents.tasks import send_notification, send_unsent_notifications
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_queuing_the_same_event_twice_records_one_mail(staff_user):
    ticket = TicketFactory(requester=staff_user)
    before = Notification.objects.count()

    notifications.ticket_logged(ticket)
    notifications.ticket_logged(ticket)

    assert Notification.objects.count() == before


def test_mail_is_sent_once_even_if_the_task_runs_twice(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = TicketFactory(requester=staff_user)
    notification = Notification.objects.get(key=f"t{ticket.pk}:logged:requester")
    assert callbacks, "the send is queued after commit"

    assert send_notification(notification.pk) is True
    assert send_notification(notification.pk) is False

    sent = [m for m in mail.outbox if m.to == [staff_user.email]]
    assert len(sent) == 1
    assert ticket.reference in sent[0].subject
    assert sent[0].alternatives[0][1] == "text/html"


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


def test_header_values_are_cleaned(staff_user):
    ticket = TicketFactory(requester=staff_user, summary="Printer\r\nBcc: everyone@mbashe.gov.za")
    subject = Notification.objects.get(key=f"t{ticket.pk}:logged:requester").subject
    assert "\n" not in subject and "\r" not in subject
    send_notification(Notification.objects.get(key=f"t{ticket.pk}:logged:requester").pk)
    assert mail.outbox[-1].bcc == []


def test_markup_in_user_text_is_escaped_in_html_mail(staff_user):
    ticket = TicketFactory(requester=staff_user, summary="<script>alert(1)</script>")
    notification = Notification.objects.get(key=f"t{ticket.pk}:logged:requester")
    assert "<script>" not in notification.body_html
    assert "&lt;script&gt;" in notification.body_html
    assert "<script>alert(1)</script>" in notification.body_text  # plain text is shown as text


def test_reply_goes_to_the_other_side(staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user)
    services.ticket_take(ticket=ticket, by=technician_user)
    support_reply = services.ticket_comment(ticket=ticket, by=technician_user, body="Restarting the spooler")
    requester_reply = services.ticket_comment(ticket=ticket, by=staff_user, body="Thanks")

    assert Notification.objects.get(key__startswith=f"c{support_reply.pk}:").to_address == staff_user.email
    assert (
        Notification.objects.get(key__startswith=f"c{requester_reply.pk}:").to_address
        == technician_user.email
    )


def test_resolution_mail_carries_signed_rating_links(staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user)
    services.ticket_change_status(
        ticket=ticket, to=Status.RESOLVED, by=technician_user, resolution_code="fixed", resolution_note="Done"
    )
    body = Notification.objects.get(key__startswith=f"t{ticket.pk}:resolved:").body_text

    token = notifications.rating_token(ticket)
    assert token in body
    assert notifications.rating_ticket_id(token) == ticket.pk
    with pytest.raises(signing.BadSignature):
        notifications.rating_ticket_id(token[:-2] + "xx")


def test_the_sweep_retries_unsent_mail(staff_user, settings):
    ticket = TicketFactory(requester=staff_user)
    notification = Notification.objects.get(key=f"t{ticket.pk}:logged:requester")
    settings.EMAIL_BACKEND = "tests.incidents.test_notifications.FailingBackend"
    assert send_notification(notification.pk) is False
    notification.refresh_from_db()
    assert (notification.attempts, notification.sent_at) == (1, None)
    assert "SMTP" in notification.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=notification.pk).update(
        created_at=notification.created_at.replace(year=2020)
    )
    assert send_unsent_notifications() >= 1
    notification.refresh_from_db()
    assert notification.sent_at is not None


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("SMTP went away")


def test_a_mail_sent_again_carries_the_same_message_id(staff_user):
    """A retry after a lost confirmation sends the same message, which mail programs show once."""
    ticket = TicketFactory(requester=staff_user)
    notification = Notification.objects.get(key=f"t{ticket.pk}:logged:requester")
    mail.outbox.clear()
    assert send_notification(notification.pk) is True
    Notification.objects.filter(pk=notification.pk).update(sent_at=None)  # as if the commit was lost
    assert send_notification(notification.pk) is True
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].endswith("@mbashe.gov.za>")
