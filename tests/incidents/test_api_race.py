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


def test_two_technicians_take_one_ticket_at_once(race_data):
    ticket, first, second = race_data
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, object] = {}

    def take(user):
        try:
            api = APIClient()
            api.force_authenticate(user)
            barrier.wait()
            response = api.post(f"/api/tickets/{ticket.pk}/take/", {"version": ticket.version}, format="json")
            results[user.username] = response
        except Exception as exc:  # reported below, not lost in the thread
            results[user.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    responses = [results[user.username] for user in (first, second)]
    assert all(hasattr(r, "status_code") for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    winner = next(user for user, r in zip((first, second), responses, strict=True) if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 409)
    assert "changed by someone else" in loser.json()["detail"]
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.assignee == winner
    assert ticket.version == 2
    assert ticket.handovers == 0  # the loser did not take it over afterwards
    assert TicketEvent.objects.filter(ticket=ticket, field="assignee").count() == 1
