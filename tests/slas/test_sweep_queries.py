"""The SLA sweep's queries grow with its batches, not with its clocks (issue 22): each batch reads its
clocks, writes its events, moves its clocks' next deadlines and writes its mails in a fixed number of
queries, whether the batch holds one due clock or a hundred."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common import access as roles
from common.models import Notification
from incidents.models import Status, Ticket
from slas.models import SlaClock, SlaEvent
from slas.services import sla_sweep
from tests.factories import SupportGroupFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
CLOCKS = 1000


@pytest.fixture
def tickets(staff_user, technician_user, manager_user):
    """CLOCKS open tickets with a running resolution clock each; a third assigned to a technician, a third
    to a group with two members and a lead, a third to a group with a shared mailbox."""
    lead = UserFactory(username="lead", role=roles.TECHNICIAN)
    members = SupportGroupFactory(name="Network", lead=lead)
    members.members.add(technician_user, UserFactory(username="second", role=roles.TECHNICIAN))
    mailbox = SupportGroupFactory(name="Applications", email="apps@mbashe.invalid")
    template = TicketFactory(requester=staff_user)
    fields = {
        f.name: getattr(template, f.name)
        for f in Ticket._meta.concrete_fields
        if f.name not in ("id", "created_at", "updated_at", "assignee", "group", "summary", "status")
    }
    placed = [
        {"assignee": technician_user, "group": members},
        {"assignee": None, "group": members},
        {"assignee": None, "group": mailbox},
    ]
    made = Ticket.objects.bulk_create(
        [
            Ticket(**fields, **placed[n % 3], summary=f"Elliotdale link down {n}", status=Status.NEW)
            for n in range(CLOCKS)
        ]
    )
    SlaClock.objects.filter(ticket=template).delete()
    Ticket.objects.filter(pk=template.pk).update(status=Status.CLOSED, resolution_code="withdrawn")
    return made


def make_due(tickets, count: int) -> None:
    """The first `count` tickets' clocks passed 75 % and 100 % a day ago, with nothing recorded yet; the
    rest are due next week."""
    SlaEvent.objects.all().delete()
    SlaClock.objects.all().delete()
    past, later = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=7)
    SlaClock.objects.bulk_create(
        [
            SlaClock(
                ticket=ticket,
                kind="resolution",
                sla=ticket.sla,
                priority=1,
                target_minutes=240,
                state="running",
                elapsed_seconds=0,
                state_since=past,
                warn_at=(past if n < count else later) + timedelta(hours=3),
                due_at=(past if n < count else later) + timedelta(hours=4),
                next_event_at=(past if n < count else later) + timedelta(hours=3),
            )
            for n, ticket in enumerate(tickets)
        ]
    )


def sweep_queries(tickets, due: int, batch: int) -> int:
    make_due(tickets, due)
    with CaptureQueriesContext(connection) as captured:
        recorded = sla_sweep(batch=batch)
    assert recorded == 2 * due  # a warning and a breach each
    assert SlaEvent.objects.count() == 2 * due
    assert not SlaClock.objects.filter(next_event_at__lte=timezone.now()).exists()
    return len(captured.captured_queries)


def test_one_batch_costs_the_same_for_ten_clocks_and_a_thousand(tickets):
    ten = sweep_queries(tickets, 10, batch=CLOCKS + 1)
    thousand = sweep_queries(tickets, CLOCKS, batch=CLOCKS + 1)

    assert ten == thousand
    assert ten <= 14


def test_the_sweep_grows_with_its_batches_only(tickets):
    nothing = sweep_queries(tickets, 0, batch=100)
    one_batch = sweep_queries(tickets, 100, batch=100)  # a full batch, then an empty one to stop
    ten_batches = sweep_queries(tickets, CLOCKS, batch=100)

    per_batch = one_batch - nothing
    assert nothing <= 3  # the empty batch: its transaction and one SELECT ... FOR UPDATE
    assert ten_batches == nothing + 10 * per_batch


def test_every_mail_is_written_once_with_its_event(tickets):
    make_due(tickets, 30)
    sla_sweep(batch=7)

    mails = Notification.objects.filter(key__startswith="sla:")
    # An assigned ticket's warning: its technician; breach: the technician, the group lead, the manager.
    # A group's: its two members (+ lead and manager on breach); a group mailbox: the mailbox (+ manager).
    assert mails.count() == 10 * (1 + 3) + 10 * (2 + 4) + 10 * (1 + 2)
    assert mails.values("key").distinct().count() == mails.count()
    assert set(SlaEvent.objects.values_list("pk", flat=True)) == {
        int(key.split(":")[4]) for key in mails.values_list("key", flat=True)
    }
    assert sla_sweep(batch=7) == 0
    assert Notification.objects.filter(key__startswith="sla:").count() == mails.count()
