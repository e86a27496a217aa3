"""An unplanned outage of a site proposes (or, by setting, opens) the site's major incident with the tickets
logged there since; a ticket logged during an outage is pre-linked (web, API, mail); closing the outage
offers to resolve the linked tickets with one message, through incidents' services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from common.models import Notification
from incidents.models import Status, Ticket, TicketEvent
from outages.models import OutageKind, OutageScope
from outages.services import outage_end, outage_record, outage_tickets_resolve
from sites.models import Site
from tests.factories import ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def willowvale():
    return Site.objects.filter(name__icontains="Willowvale").order_by("pk").first()


@pytest.fixture
def two_tickets(staff_user, willowvale):
    first = TicketFactory(requester=staff_user, site=willowvale, summary="No network at Willowvale")
    second = TicketFactory(requester=staff_user, site=willowvale, summary="Email does not send")
    elsewhere = TicketFactory(requester=staff_user, summary="Dutywa printer jams")
    return first, second, elsewhere


def _link_down(site, **extra):
    return outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.UNPLANNED,
        site=site,
        started_at=timezone.now() - timedelta(hours=1),
        **extra,
    )


def test_an_unplanned_outage_proposes_the_major_incident_with_the_tickets_logged_since(
    client, technician_user, staff_user, willowvale, two_tickets, settings
):
    settings.OUTAGES_MAJOR_INCIDENT = "propose"
    first, second, elsewhere = two_tickets
    outage = _link_down(willowvale)
    assert set(outage.tickets.all()) == {first, second}  # the Dutywa ticket is not linked
    first.refresh_from_db()
    assert not first.is_major and outage.major_incident is None  # proposed, not opened

    client.force_login(technician_user)
    page = client.get(reverse("outages:outage_list")).content.decode()
    assert "2 tickets logged at" in page and "Open the major incident with these tickets" in page

    client.force_login(staff_user)  # a requester may not open it
    assert client.post(reverse("outages:outage_major_open", args=[outage.pk])).status_code == 403
    client.force_login(technician_user)
    answer = client.post(reverse("outages:outage_major_open", args=[outage.pk]))
    assert answer.status_code == 302 and answer["Location"].endswith(f"/tickets/{first.pk}/#major")
    outage.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert outage.major_incident == first and first.is_major and second.parent == first
    assert Ticket.objects.get(pk=elsewhere.pk).parent_id is None


def test_by_setting_the_outage_opens_the_major_incident_at_once(willowvale, two_tickets, settings):
    settings.OUTAGES_MAJOR_INCIDENT = "open"
    first, second, _ = two_tickets
    outage = _link_down(willowvale)  # as monitoring would: nobody signed in
    outage.refresh_from_db()
    second.refresh_from_db()
    assert outage.major_incident == first and second.parent == first
    assert TicketEvent.objects.filter(ticket=second, field="parent", actor__isnull=True).exists()


def test_a_planned_outage_proposes_nothing(willowvale, two_tickets, settings):
    settings.OUTAGES_MAJOR_INCIDENT = "open"
    outage = outage_record(scope=OutageScope.SITE, kind=OutageKind.PLANNED, site=willowvale)
    assert outage.major_incident is None and not outage.tickets.exists()


def test_a_ticket_logged_during_an_outage_is_pre_linked_by_api_and_service(
    client, staff_user, technician_user, willowvale, two_tickets, settings
):
    settings.OUTAGES_MAJOR_INCIDENT = "open"
    first, _, _ = two_tickets
    outage = _link_down(willowvale)
    service = ServiceFactory()

    api = APIClient()
    api.force_authenticate(staff_user)
    body = {
        "service": service.pk,
        "site": willowvale.pk,
        "summary": "Cannot print",
        "description": "Nothing prints.",
        "impact": "low",
    }
    answer = api.post("/api/tickets/", {**body, "urgency": "medium"}, format="json")
    assert answer.status_code == 201, answer.content
    by_api = Ticket.objects.get(pk=answer.json()["id"])
    assert by_api.parent == first and outage.tickets.filter(pk=by_api.pk).exists()
    assert answer["ETag"] == f'"{by_api.version}"'  # the answer is the row as saved, under its parent

    # Logged at another site: not linked.
    other = TicketFactory(requester=staff_user, service=service, summary="Dutywa scanner")
    assert other.parent_id is None and not other.outages_during.exists()

    outage_end(outage)
    later = TicketFactory(requester=staff_user, service=service, site=willowvale, summary="After it")
    assert later.parent_id is None and not later.outages_during.exists()


def test_a_ticket_logged_during_load_shedding_is_linked_to_the_window(staff_user, willowvale):
    now = timezone.now()
    window = outage_record(
        scope=OutageScope.POWER,
        kind=OutageKind.LOAD_SHEDDING,
        site=willowvale,
        started_at=now - timedelta(minutes=10),
        ended_at=now + timedelta(hours=2),
    )
    ticket = TicketFactory(requester=staff_user, site=willowvale, summary="PC will not start")
    assert list(ticket.outages_during.all()) == [window] and ticket.parent_id is None


def test_closing_the_outage_resolves_its_tickets_with_one_message(
    client, staff_user, technician_user, willowvale, two_tickets, settings
):
    settings.OUTAGES_MAJOR_INCIDENT = "open"
    first, second, elsewhere = two_tickets
    outage = _link_down(willowvale)
    client.force_login(technician_user)
    refused = client.post(reverse("outages:outage_tickets_resolve", args=[outage.pk]), {"message": "Back"})
    assert refused.status_code == 302
    assert Ticket.objects.get(pk=first.pk).status != Status.RESOLVED  # still open: nothing resolved

    outage_end(outage, by=technician_user)
    page = client.get(reverse("outages:outage_list")).content.decode()
    assert "Resolve the 2 linked tickets with one message" in page
    empty = client.post(reverse("outages:outage_tickets_resolve", args=[outage.pk]), {"message": " "})
    assert empty.status_code == 302 and Ticket.objects.get(pk=first.pk).status != Status.RESOLVED

    client.force_login(staff_user)
    assert (
        client.post(
            reverse("outages:outage_tickets_resolve", args=[outage.pk]), {"message": "Back"}
        ).status_code
        == 403
    )
    client.force_login(technician_user)
    before = Notification.objects.count()
    answer = client.post(
        reverse("outages:outage_tickets_resolve", args=[outage.pk]),
        {"message": "The Willowvale link is back: Telkom replaced the radio."},
    )
    assert answer.status_code == 302
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        assert TicketEvent.objects.filter(ticket=ticket, field="status", new_value=Status.RESOLVED).exists()
    assert "Telkom replaced the radio" in Ticket.objects.get(pk=first.pk).resolution_note
    assert Notification.objects.count() > before  # each requester is told, as resolving does
    assert Ticket.objects.get(pk=elsewhere.pk).status != Status.RESOLVED
    assert "Resolve the" not in client.get(reverse("outages:outage_list")).content.decode()


def test_resolving_needs_the_desk_and_a_csrf_token(willowvale, two_tickets, staff_user, technician_user):
    from django.core.exceptions import PermissionDenied
    from django.test import Client

    outage = _link_down(willowvale)
    outage_end(outage)
    with pytest.raises(PermissionDenied):
        outage_tickets_resolve(outage, by=staff_user, message="Back")
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(technician_user)
    answer = csrf.post(reverse("outages:outage_tickets_resolve", args=[outage.pk]), {"message": "Back"})
    assert answer.status_code == 403
    assert not Ticket.objects.filter(status=Status.RESOLVED).exists()


def test_during_load_shedding_and_a_link_failure_the_ticket_goes_under_the_major_incident(
    staff_user, willowvale, two_tickets, settings
):
    settings.OUTAGES_MAJOR_INCIDENT = "open"
    first, _, _ = two_tickets
    now = timezone.now()
    outage_record(
        scope=OutageScope.POWER,
        kind=OutageKind.LOAD_SHEDDING,
        site=willowvale,
        started_at=now - timedelta(hours=2),
        ended_at=now + timedelta(hours=1),
    )
    failure = _link_down(willowvale)
    ticket = TicketFactory(requester=staff_user, site=willowvale, summary="Still no network")
    assert list(ticket.outages_during.all()) == [failure] and ticket.parent == first
