"""Item 12: CR/LF in anything that goes into a mail header (subjects built from ticket summaries, group
and service names, agreement names) is cleaned: each mail keeps one subject line, no added header, and
goes only to the people it is for."""

from __future__ import annotations

import datetime
import email

import pytest
from django.core import mail
from rest_framework.test import APIClient

from common.models import Notification
from common.tasks import deliver_notification as send_notification
from sites.models import Site
from tests.factories import ServiceLevelAgreementFactory

pytestmark = pytest.mark.django_db

INJECTION = "Printer jam\r\nBcc: spy@evil.example\r\nX-Injected: yes\nSubject: pwned"


def assert_clean(message) -> None:
    """Parsed back as a mail reader would: one Subject, no added header, only the intended recipients."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    names = {name.lower() for name in parsed}  # a Message iterates over its header names
    assert "x-injected" not in names and "bcc" not in names
    assert len(parsed.get_all("Subject")) == 1
    assert "\r" not in message.subject and "\n" not in message.subject
    assert "spy@evil.example" not in message.recipients()


def test_a_summary_with_line_breaks_cannot_add_mail_headers(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.ticket.group.members.add(world.technician)
    api = APIClient()
    api.force_login(world.attacker)
    response = api.post(
        "/api/tickets/",
        {
            "service": world.own_ticket.service_id,
            "site": Site.objects.get(name="Dutywa Main Building").pk,
            "summary": INJECTION,
            "description": INJECTION,
            "impact": "low",
            "urgency": "low",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    mails = Notification.objects.filter(ticket=response.json()["id"])
    assert mails.exists()
    for notification in mails:
        assert "\r" not in notification.subject and "\n" not in notification.subject
        send_notification(notification.pk)
    for message in mail.outbox:
        assert_clean(message)


def test_group_and_person_names_with_line_breaks_are_cleaned_too(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    group = world.ticket.group
    group.name = "Desktop\r\nBcc: spy@evil.example"
    group.save(update_fields=["name"])
    world.technician.first_name = "Sipho\r\nX-Injected: yes"
    world.technician.save(update_fields=["first_name"])
    from incidents import services

    services.ticket_take(ticket=world.ticket, by=world.technician)
    services.ticket_comment(ticket=world.ticket, by=world.technician, body="On my way\r\nBcc: x@evil.example")
    mail.outbox.clear()
    for notification in Notification.objects.filter(sent_at__isnull=True):
        send_notification(notification.pk)
    assert mail.outbox
    for message in mail.outbox:
        assert_clean(message)


def test_an_agreement_name_with_line_breaks_still_gets_its_review_reminder(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from slas.reviews import sla_reviews_remind

    today = datetime.date(2027, 6, 1)
    ServiceLevelAgreementFactory(name="Payroll\r\nBcc: spy@evil.example", review_date=today)
    mail.outbox.clear()
    sla_reviews_remind(today=today)
    for notification in Notification.objects.filter(sent_at__isnull=True):  # the outbox, after commit
        send_notification(notification.pk)
    assert any("Payroll" in message.subject for message in mail.outbox)
    for message in mail.outbox:
        assert_clean(message)
