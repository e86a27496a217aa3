"""incidents.selectors: the queues read the clocks' state, not the ticket's status."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import selectors, services
from incidents.models import Status, Ticket
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_a_ticket_waiting_on_someone_is_never_breaching_soon(technician_user):
    due_soon, waiting = TicketFactory(), TicketFactory()
    Ticket.objects.filter(pk=due_soon.pk).update(resolution_due_at=timezone.now() + timedelta(hours=1))
    services.ticket_change_status(
        ticket=waiting, to=Status.PENDING, by=technician_user, pending_reason="user"
    )

    waiting.refresh_from_db()
    assert waiting.resolution_due_at is None  # its clocks are paused: no due time
    breaching = selectors.technician_queue(technician_user, "breaching")
    assert list(breaching.values_list("pk", flat=True)) == [due_soon.pk]


def test_a_queue_row_carries_its_resolution_clocks_state_and_outcome(technician_user):
    running, waiting = TicketFactory(), TicketFactory()
    services.ticket_change_status(
        ticket=waiting, to=Status.PENDING, by=technician_user, pending_reason="user"
    )

    rows = {t.pk: t for t in selectors.queue_rows(Ticket.objects.all())}
    assert (rows[running.pk].resolution_clock_state, rows[running.pk].resolution_outcome) == (
        "running",
        "running",
    )
    assert (rows[waiting.pk].resolution_clock_state, rows[waiting.pk].resolution_outcome) == (
        "paused",
        "paused",
    )
