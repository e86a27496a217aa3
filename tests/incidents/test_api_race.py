"""Two technicians take the same ticket at the same moment through the API, each on their own database
connection: exactly one wins, the other gets a 409 and nothing of theirs is half-saved.

Only PostgreSQL has the row locks this relies on (SELECT ... FOR UPDATE); the in-memory SQLite test
database cannot even be shared between threads, so the test is skipped there.
"""

import threading

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from common import access as roles
from common import tasks
from incidents.models import Ticket, TicketEvent
from tests.factories import ServiceFactory, SiteFactory, TicketFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


@pytest.fixture
def race_data(monkeypatch):
    # A transactional test starts from whatever the last one left (its flush removes migration data).
    roles.sync_roles(apps)
    # Mails are queued after commit, which really happens here: keep them off the broker.
    monkeypatch.setattr(tasks.deliver_notifications, "apply_async", lambda *args, **kwargs: None)
    service = ServiceFactory()
    first, second = (UserFactory(role=roles.TECHNICIAN) for _ in range(2))
    requester = UserFactory(role=roles.STAFF)
    ticket = TicketFactory(requester=requester, service=service, site=SiteFactory())
    return ticket, first, second


def take_at_once(ticket, users, body):
    """Each user POSTs take/ with `body` on their own connection, released together; their answers."""
    barrier = threading.Barrier(len(users), timeout=30)
    results: dict[str, object] = {}

    def take(user):
        try:
            api = APIClient()
            api.force_authenticate(user)
            barrier.wait()
            response = api.post(f"/api/tickets/{ticket.pk}/take/", body, format="json")
            results[user.username] = response
        except Exception as exc:  # reported below, not lost in the thread
            results[user.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    responses = [results[user.username] for user in users]
    assert all(hasattr(r, "status_code") for r in responses), responses
    return responses


def test_two_technicians_take_one_ticket_at_once(race_data):
    ticket, first, second = race_data

    responses = take_at_once(ticket, (first, second), {"version": ticket.version})

    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    winner = next(user for user, r in zip((first, second), responses, strict=True) if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 409)
    assert "changed by someone else" in loser.json()["detail"]
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.assignee == winner
    assert ticket.version == 2
    assert ticket.handovers == 0  # the loser did not take it over afterwards
    assert TicketEvent.objects.filter(ticket=ticket, field="assignee").count() == 1


def test_two_technicians_taking_without_a_version_take_nothing(race_data):
    """Issue 16: with `{}` both got 200 and the first was told the ticket was theirs, then lost it."""
    ticket, first, second = race_data

    responses = take_at_once(ticket, (first, second), {})

    assert [r.status_code for r in responses] == [428, 428], [r.content for r in responses]
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.assignee, ticket.version) == (None, 1)
