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


def test_history_names_an_agreement_its_event_did_not_note_in_one_query(
    technician_user, django_assert_num_queries
):
    from incidents.models import TicketEvent
    from slas.models import ServiceLevelAgreement

    ticket = TicketFactory()
    agreements = list(ServiceLevelAgreement.objects.order_by("pk")[:2])
    for old, new in ((ticket.sla, agreements[0]), (agreements[0], agreements[-1])):
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.SLA,
            field="sla",
            old_value=old.pk,
            new_value=new.pk,
            at=timezone.now(),
        )

    with django_assert_num_queries(3):  # the person's role, the events, the agreements they do not name
        history = selectors.ticket_history(technician_user, ticket)

    moves = [(event.old_row, event.new_row) for event in history if event.field == "sla"]
    assert moves[-2:] == [(ticket.sla.name, agreements[0].name), (agreements[0].name, agreements[-1].name)]
