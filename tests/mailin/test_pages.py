"""What the desk and the requester see of a ticket that came by mail: its JSON's channel, and the
original mail's headers (the desk only, on request)."""

import pytest

from mailin.models import InboundMessage
from tests.factories import UserFactory

from .mails import mail
from .test_mail_in import pipe

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed_ticket(mailbox, nomsa):
    assert pipe(mail(sender=nomsa.email, headers={"Received": "from mx.mbashe.gov.za by mail"})) == 0
    return InboundMessage.objects.get().ticket


def test_the_tickets_json_says_it_came_by_email(mailed_ticket, client, nomsa):
    client.force_login(nomsa)
    assert client.get(f"/api/tickets/{mailed_ticket.pk}/").json()["channel"] == "email"


def test_the_desk_sees_the_original_headers_on_request(mailed_ticket, client, sipho):
    client.force_login(sipho)
    page = client.get(f"/tickets/{mailed_ticket.pk}/").content.decode()
    assert f'href="/tickets/{mailed_ticket.pk}/mail/"' in page  # on request: a link, not the headers
    assert "from mx.mbashe.gov.za" not in page

    headers = client.get(f"/tickets/{mailed_ticket.pk}/mail/")
    assert headers.status_code == 200
    text = headers.content.decode()
    assert "Received: from mx.mbashe.gov.za by mail" in text and "Message-ID:" in text


def test_the_requester_and_other_staff_do_not(mailed_ticket, client, nomsa):
    client.force_login(nomsa)
    assert "/mail/" not in client.get(f"/tickets/{mailed_ticket.pk}/").content.decode()
    assert client.get(f"/tickets/{mailed_ticket.pk}/mail/").status_code == 403
    client.force_login(UserFactory(username="thabo", role="Staff"))
    assert client.get(f"/tickets/{mailed_ticket.pk}/mail/").status_code == 403


def test_a_ticket_logged_on_the_web_offers_no_headers(client, sipho, mailbox, nomsa):
    from tests.factories import TicketFactory

    ticket = TicketFactory(requester=nomsa)
    client.force_login(sipho)
    assert "/mail/" not in client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert client.get(f"/tickets/{ticket.pk}/mail/").status_code == 404
