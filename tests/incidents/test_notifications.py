"""Who is mailed what about a ticket: recorded once per event and recipient, never an internal note to a
requester, header values cleaned, and a signed rating link that works without signing in. How the outbox
sends (once, after commit, retried) is tests/common/test_outbox.py."""

import pytest
from django.core import mail, signing

from common.models import Notification
from common.outbox import notification_deliver
from incidents import notifications, services
from incidents.models import Status
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_queuing_the_same_event_twice_records_one_mail(staff_user):
    ticket = TicketFactory(requester=staff_user)
    before = Notification.objects.count()

    notifications.ticket_logged(ticket)
    notifications.ticket_logged(ticket)

    assert Notification.objects.count() == before


def test_header_values_are_cleaned(staff_user):
    ticket = TicketFactory(requester=staff_user, summary="Printer\r\nBcc: everyone@mbashe.gov.za")
    subject = Notification.objects.get(key=f"t{ticket.pk}:logged:requester").subject
    assert "\n" not in subject and "\r" not in subject
    notification_deliver(notification_id=Notification.objects.get(key=f"t{ticket.pk}:logged:requester").pk)
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
