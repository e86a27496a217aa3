"""incidents.filters.TicketFilter: each filter narrows, search finds words or a reference, sorting only
from the allow-list (tickets without a due time last)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.filters import TicketFilter
from incidents.models import Channel, Status, Ticket
from sites.models import Site
from tests.factories import ServiceFactory, SupportGroupFactory, TicketFactory
from tests.incidents.pages_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def pks(data, queryset=None):
    tickets = TicketFilter(data, queryset=queryset if queryset is not None else Ticket.objects.all()).qs
    return [t.pk for t in (tickets if "ordering" in data else tickets.order_by("pk"))]


@pytest.fixture
def tickets(service, dutywa, technician, staff_user):
    willowvale = Site.objects.filter(town="Willowvale").first()
    networks = SupportGroupFactory(name="Networks (filter test)")
    link = ServiceFactory(name="Link (filter test)", support_group=networks, offers_requests=True)
    printer = TicketFactory(service=service, site=dutywa, summary="Printer jams", impact="low", urgency="low")
    link_down = TicketFactory(
        service=link,
        site=willowvale,
        summary="Link down",
        description="No network since 7am",
        impact="high",
        urgency="high",
    )
    request = TicketFactory(
        service=link,
        site=dutywa,
        kind="request",
        summary="New network point",
        requester=staff_user,
        logged_by=technician,
        channel=Channel.PHONE,
    )
    services.ticket_take(ticket=printer, by=technician)
    services.ticket_change_status(
        ticket=link_down, to=Status.PENDING, by=technician, pending_reason="third_party"
    )
    return {
        "printer": printer,
        "link_down": link_down,
        "request": request,
        "networks": networks,
        "link": link,
    }


def test_no_filters_keep_everything(tickets):
    assert len(pks({})) == 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"status": ["pending"]}, ["link_down"]),
        ({"status": ["pending", "assigned"]}, ["printer", "link_down"]),
        ({"priority": ["1"]}, ["link_down"]),
        ({"town": "Willowvale"}, ["link_down"]),
        ({"kind": "request"}, ["request"]),
        ({"channel": "phone"}, ["request"]),
        ({"q": "jams"}, ["printer"]),
        ({"q": "network since"}, ["link_down"]),
    ],
)
def test_each_filter_narrows(tickets, data, expected):
    assert pks(data) == sorted(tickets[name].pk for name in expected)


def test_site_service_group_and_assignee(tickets, dutywa, technician):
    assert pks({"site": dutywa.pk}) == sorted([tickets["printer"].pk, tickets["request"].pk])
    assert pks({"service": tickets["link"].pk}) == sorted([tickets["link_down"].pk, tickets["request"].pk])
    assert pks({"group": tickets["networks"].pk}) == sorted([tickets["link_down"].pk, tickets["request"].pk])
    assert pks({"assignee": technician.pk}) == [tickets["printer"].pk]
    assert pks({"assignee": "null"}) == sorted([tickets["link_down"].pk, tickets["request"].pk])


def test_search_by_reference(tickets):
    ticket = tickets["request"]

    assert pks({"q": ticket.reference}) == [ticket.pk]
    assert pks({"q": ticket.reference.lower()}) == [ticket.pk]
    assert pks({"q": f"#{ticket.pk}"}) == [ticket.pk]
    assert pks({"q": "INC-999999"}) == []


def test_only_support_people_can_be_chosen_as_assignee(tickets, staff_user):
    ticket_filter = TicketFilter({"assignee": staff_user.pk}, queryset=Ticket.objects.all())

    assert not ticket_filter.is_valid()
    assert "assignee" in ticket_filter.errors


def test_an_unknown_value_is_an_error_not_a_silent_widening(tickets):
    ticket_filter = TicketFilter({"status": ["lost"], "ordering": "password"}, queryset=Ticket.objects.all())

    assert not ticket_filter.is_valid()
    assert set(ticket_filter.errors) == {"status", "ordering"}


def test_ordering_from_the_allow_list_with_tickets_without_due_time_last(tickets):
    now = timezone.now()
    Ticket.objects.filter(pk=tickets["printer"].pk).update(resolution_due_at=now + timedelta(hours=1))
    Ticket.objects.filter(pk=tickets["link_down"].pk).update(resolution_due_at=now + timedelta(hours=2))
    Ticket.objects.filter(pk=tickets["request"].pk).update(resolution_due_at=None)
    order = [tickets[name].pk for name in ("printer", "link_down", "request")]

    assert pks({"ordering": "due"}) == order
    assert pks({"ordering": "-due"}) == [order[1], order[0], order[2]]
    assert pks({"ordering": "priority"})[0] == tickets["link_down"].pk
    assert pks({"ordering": "-created"}) == sorted(order, reverse=True)


def test_the_filter_narrows_the_scope_it_is_given_and_never_widens_it(tickets, staff_user):
    from incidents.permissions import visible_tickets

    mine = visible_tickets(staff_user)

    assert pks({}, mine) == [tickets["request"].pk]
    assert pks({"q": "Link down"}, mine) == []
