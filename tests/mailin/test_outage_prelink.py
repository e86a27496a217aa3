"""Issue 20: a ticket that arrives by mail at a site while an outage covers it is pre-linked to it (the
mail-in pipeline logs through incidents.services.ticket_log, whose hook outages listens to)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Channel, Ticket
from outages.models import OutageKind, OutageScope
from outages.services import outage_record

from .mails import mail
from .test_mail_in import pipe

pytestmark = pytest.mark.django_db


def test_a_mailed_ticket_during_an_outage_is_pre_linked(nomsa, mailbox, settings, technician_user):
    settings.OUTAGES_MAJOR_INCIDENT = "propose"
    outage = outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.UNPLANNED,
        site=nomsa.site,
        started_at=timezone.now() - timedelta(minutes=20),
    )
    assert pipe(mail(sender=f"Nomsa <{nomsa.email}>", subject="No network", body="Nothing loads.")) == 0
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL
    assert list(ticket.outages_during.all()) == [outage]
