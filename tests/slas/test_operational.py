"""OLAs (a support group's promise) and underpinning contracts (a supplier's): clocks derived from the
ticket's history for the time each holds it, shown on the ticket, refused when nonsensical."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents import services
from incidents.models import PendingReason, Status, Ticket, TicketEvent
from incidents.service_levels import ticket_clocks_refresh
from slas.models import (
    BusinessCalendar,
    ClockKind,
    ClockState,
    OperationalAgreement,
    OperationalClock,
    OperationalTarget,
    Supplier,
)
from slas.operational import clock_outcome
from tests.factories import ServiceFactory, SupportGroupFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
SAST = ZoneInfo("Africa/Johannesburg")


@pytest.fixture
def always_open():
    return BusinessCalendar.objects.create(name="Round the clock (test)", always_open=True)


def agreement(name, calendar, *, group=None, supplier=None, response=None, resolution=240):
    kind = OperationalAgreement.Kind.OLA if group else OperationalAgreement.Kind.UC
    made = OperationalAgreement.objects.create(
        name=name, kind=kind, group=group, supplier=supplier, calendar=calendar, review_date=date(2027, 6, 30)
    )
    for priority in range(1, 6):
        OperationalTarget.objects.create(
            agreement=made, priority=priority, response_minutes=response, resolution_minutes=resolution
        )
    return made


@pytest.fixture
def desk(always_open):
    """Two groups under OLAs (1 h to take, 4 h to resolve or hand on), a supplier under a contract (2 h to
    restore), a technician in each group and a service the first group takes."""
    networks, desktop = (
        SupportGroupFactory(name="Networks (test)"),
        SupportGroupFactory(name="Desktop (test)"),
    )
    agreement("Networks test OLA", always_open, group=networks, response=60, resolution=240)
    agreement("Desktop test OLA", always_open, group=desktop, response=60, resolution=240)
    telkom = Supplier.objects.create(name="MPLS provider (test)", contract_reference="UC-7")
    agreement("Test link contract", always_open, supplier=telkom, resolution=120)
    net_tech, desk_tech = UserFactory(role="Technician"), UserFactory(role="Technician")
    networks.members.add(net_tech)
    desktop.members.add(desk_tech)
    service = ServiceFactory(support_group=networks)
    return {
        "networks": networks,
        "desktop": desktop,
        "supplier": telkom,
        "net_tech": net_tech,
        "desk_tech": desk_tech,
        "service": service,
    }


def clocks(ticket, name):
    return {
        clock.kind: clock
        for clock in OperationalClock.objects.filter(ticket=ticket, agreement__name=name).order_by(
            "held_from"
        )
    }


def at(hour, minute=0):
    return datetime(2026, 11, 23, hour, minute, tzinfo=SAST)


def test_a_group_ola_counts_its_holding_pauses_while_pending_and_stops_at_the_handover(
    frozen, desk, staff_user
):
    frozen(2026, 11, 23, 9, 0)
    ticket = TicketFactory(requester=staff_user, service=desk["service"])
    ola = clocks(ticket, "Networks test OLA")
    assert ola[ClockKind.RESPONSE].state == ClockState.RUNNING
    assert ola[ClockKind.RESPONSE].due_at == at(10)
    assert ola[ClockKind.RESOLUTION].due_at == at(13)

    frozen(2026, 11, 23, 9, 30)
    services.ticket_take(ticket=ticket, by=desk["net_tech"])
    frozen(2026, 11, 23, 10, 0)
    ticket = services.ticket_change_status(
        ticket=ticket, to=Status.PENDING, by=desk["net_tech"], pending_reason=PendingReason.USER
    )
    frozen(2026, 11, 23, 11, 0)
    ticket = services.ticket_change_status(ticket=ticket, to=Status.IN_PROGRESS, by=desk["net_tech"])
    ola = clocks(ticket, "Networks test OLA")
    assert ola[ClockKind.RESPONSE].state == ClockState.STOPPED
    assert ola[ClockKind.RESPONSE].elapsed_seconds == 30 * 60
    assert clock_outcome(ola[ClockKind.RESPONSE]) == "met"
    assert ola[ClockKind.RESOLUTION].due_at == at(14)  # the hour pending does not count

    frozen(2026, 11, 23, 12, 0)
    services.ticket_assign(ticket=ticket, by=desk["net_tech"], group=desk["desktop"])
    ola = clocks(ticket, "Networks test OLA")
    assert ola[ClockKind.RESOLUTION].state == ClockState.STOPPED
    assert ola[ClockKind.RESOLUTION].held_until == at(12)
    assert ola[ClockKind.RESOLUTION].elapsed_seconds == 2 * 3600  # 09-10 and 11-12
    assert clock_outcome(ola[ClockKind.RESOLUTION]) == "met"
    # The receiving group's own clocks start at the handover: nobody there has taken it yet.
    desktop = clocks(ticket, "Desktop test OLA")
    assert desktop[ClockKind.RESPONSE].held_from == at(12)
    assert desktop[ClockKind.RESPONSE].due_at == at(13)
    assert desktop[ClockKind.RESOLUTION].due_at == at(16)


def test_a_group_that_holds_a_ticket_past_its_target_breaches_its_ola_not_the_sla(frozen, desk, staff_user):
    frozen(2026, 11, 23, 9, 0)
    ticket = TicketFactory(requester=staff_user, service=desk["service"], impact="low", urgency="low")
    frozen(2026, 11, 23, 14, 0)  # 5 hours later: past the OLA's 4 hours, well inside the SLA's days
    ticket = services.ticket_take(ticket=ticket, by=desk["net_tech"])
    ticket = services.ticket_change_status(
        ticket=ticket,
        to=Status.RESOLVED,
        by=desk["net_tech"],
        resolution_code="fixed",
        resolution_note="Patched the port.",
    )
    ola = clocks(ticket, "Networks test OLA")
    assert ola[ClockKind.RESPONSE].breached_at == at(10)
    assert ola[ClockKind.RESOLUTION].breached_at == at(13)
    assert clock_outcome(ola[ClockKind.RESOLUTION]) == "breached"
    assert not ticket.sla_clocks.filter(breached_at__isnull=False).exists()


def test_a_supplier_contract_runs_while_the_ticket_waits_on_the_supplier(frozen, desk, staff_user):
    frozen(2026, 11, 23, 9, 0)
    ticket = TicketFactory(requester=staff_user, service=desk["service"])
    ticket = services.ticket_take(ticket=ticket, by=desk["net_tech"])
    frozen(2026, 11, 23, 10, 0)
    ticket = services.ticket_change_status(
        ticket=ticket,
        to=Status.PENDING,
        by=desk["net_tech"],
        pending_reason=PendingReason.THIRD_PARTY,
        supplier=desk["supplier"],
    )
    assert ticket.supplier == desk["supplier"]
    uc = clocks(ticket, "Test link contract")
    assert set(uc) == {ClockKind.RESOLUTION}  # a supplier promises a restore time only
    assert uc[ClockKind.RESOLUTION].state == ClockState.RUNNING
    assert uc[ClockKind.RESOLUTION].due_at == at(12)
    assert clocks(ticket, "Networks test OLA")[ClockKind.RESOLUTION].state == ClockState.PAUSED

    frozen(2026, 11, 23, 13, 0)
    ticket = services.ticket_change_status(ticket=ticket, to=Status.IN_PROGRESS, by=desk["net_tech"])
    assert ticket.supplier is None
    uc = clocks(ticket, "Test link contract")[ClockKind.RESOLUTION]
    assert (uc.state, uc.held_until, uc.breached_at) == (ClockState.STOPPED, at(13), at(12))
    assert uc.elapsed_seconds == 3 * 3600
    referral = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.SUPPLIER).order_by("at", "pk")
    assert [(e.old_value, e.new_value) for e in referral] == [
        ("", "MPLS provider (test)"),
        ("MPLS provider (test)", ""),
    ]


def test_a_supplier_is_named_only_for_a_ticket_waiting_on_a_third_party(frozen, desk, staff_user):
    ticket = TicketFactory(requester=staff_user, service=desk["service"])
    ticket = services.ticket_take(ticket=ticket, by=desk["net_tech"])
    version = Ticket.objects.get(pk=ticket.pk).version
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_status(
            ticket=ticket,
            to=Status.PENDING,
            by=desk["net_tech"],
            pending_reason=PendingReason.USER,
            supplier=desk["supplier"],
        )
    assert "supplier" in refused.value.message_dict
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.supplier_id, stored.version) == (Status.ASSIGNED, None, version)


def test_re_deriving_gives_the_same_operational_clocks(frozen, desk, staff_user):
    frozen(2026, 11, 23, 9, 0)
    ticket = TicketFactory(requester=staff_user, service=desk["service"])
    frozen(2026, 11, 23, 9, 40)
    services.ticket_assign(ticket=ticket, by=desk["net_tech"], assignee=desk["desk_tech"])
    fields = ["agreement_id", "kind", "held_from", "held_until", "state", "elapsed_seconds", "due_at"]
    before = list(OperationalClock.objects.filter(ticket=ticket).order_by("pk").values_list(*fields))
    frozen(2026, 11, 23, 15, 0)
    ticket_clocks_refresh(Ticket.objects.get(pk=ticket.pk))
    after = list(OperationalClock.objects.filter(ticket=ticket).order_by("pk").values_list(*fields))
    assert sorted(before, key=str) == sorted(after, key=str)
    # Assigning a person from another group moved the ticket to that group: a handover for the OLAs.
    assert {row[0] for row in after} == set(
        OperationalAgreement.objects.filter(name__in=["Networks test OLA", "Desktop test OLA"]).values_list(
            "pk", flat=True
        )
    )


def test_without_agreements_a_ticket_has_no_operational_clocks(frozen, staff_user):
    ticket = TicketFactory(requester=staff_user)
    assert not OperationalClock.objects.filter(ticket=ticket).exists()


def test_an_agreement_names_exactly_one_party(always_open, desk):
    invalid = OperationalAgreement(
        name="Both", kind="ola", group=desk["desktop"], supplier=desk["supplier"], calendar=always_open
    )
    with pytest.raises(ValidationError):
        invalid.clean()
    with pytest.raises(ValidationError):
        OperationalAgreement(name="None", kind="uc", calendar=always_open).clean()


def test_the_ticket_page_shows_the_clocks_to_the_desk_only(client, frozen, desk, staff_user):
    frozen(2026, 11, 23, 9, 0)
    ticket = TicketFactory(requester=staff_user, service=desk["service"])
    services.ticket_take(ticket=ticket, by=desk["net_tech"])
    services.ticket_change_status(
        ticket=Ticket.objects.get(pk=ticket.pk),
        to=Status.PENDING,
        by=desk["net_tech"],
        pending_reason=PendingReason.THIRD_PARTY,
        supplier=desk["supplier"],
    )
    client.force_login(desk["net_tech"])
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "OLAs and supplier contracts" in page
    assert "MPLS provider (test)" in page
    assert "Restored and handed back within 2 hours" in page
    assert "Taken by a member within 1 hour" in page
    # Each clock in the words of the ticket's own deadlines (ticket_tags.operational_deadline_of).
    table = page.split('id="operational"')[1].split("</table>")[0]
    assert table.count('class="deadline') == OperationalClock.objects.filter(ticket=ticket).count()
    assert "met in " in table and "2 h left" in table
    client.force_login(staff_user)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "OLAs and supplier contracts" not in page
    assert "MPLS provider (test)" not in page


def test_the_api_refers_a_ticket_to_a_supplier(frozen, desk, staff_user):
    from rest_framework.test import APIClient

    ticket = TicketFactory(requester=staff_user, service=desk["service"])
    services.ticket_take(ticket=ticket, by=desk["net_tech"])
    api = APIClient()
    api.force_authenticate(desk["net_tech"])
    answer = api.post(
        f"/api/tickets/{ticket.pk}/transition/",
        {"status": "pending", "pending_reason": "third_party", "supplier": desk["supplier"].pk},
        format="json",
        HTTP_IF_MATCH=f'"{Ticket.objects.get(pk=ticket.pk).version}"',
    )
    assert answer.status_code == 200, answer.content
    assert Ticket.objects.get(pk=ticket.pk).supplier == desk["supplier"]
    assert OperationalClock.objects.filter(ticket=ticket, agreement__supplier=desk["supplier"]).exists()
    wrong = api.post(
        f"/api/tickets/{ticket.pk}/transition/",
        {"status": "in_progress", "supplier": desk["supplier"].pk},
        format="json",
        HTTP_IF_MATCH=f'"{Ticket.objects.get(pk=ticket.pk).version}"',
    )
    assert wrong.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING


def test_pending_time_before_the_holding_is_not_the_groups(frozen, desk, staff_user):
    """A ticket handed to a group while pending: the group's clocks start paused."""
    frozen(2026, 11, 23, 9, 0)
    ticket = TicketFactory(requester=staff_user, service=desk["service"])
    ticket = services.ticket_take(ticket=ticket, by=desk["net_tech"])
    ticket = services.ticket_change_status(
        ticket=ticket, to=Status.PENDING, by=desk["net_tech"], pending_reason=PendingReason.USER
    )
    frozen(2026, 11, 23, 10, 0)
    services.ticket_assign(
        ticket=Ticket.objects.get(pk=ticket.pk), by=desk["net_tech"], group=desk["desktop"]
    )
    desktop = clocks(ticket, "Desktop test OLA")
    assert desktop[ClockKind.RESOLUTION].state == ClockState.PAUSED
    assert desktop[ClockKind.RESOLUTION].elapsed_seconds == 0
    assert timedelta(
        seconds=clocks(ticket, "Networks test OLA")[ClockKind.RESOLUTION].elapsed_seconds
    ) == timedelta(0)


def test_the_api_lists_a_tickets_operational_clocks_to_the_desk_only(frozen, desk, staff_user):
    from rest_framework.test import APIClient

    frozen(2026, 11, 23, 9, 0)
    ticket = TicketFactory(requester=staff_user, service=desk["service"])
    api = APIClient()
    api.force_authenticate(desk["desk_tech"])
    answer = api.get(f"/api/tickets/{ticket.pk}/operational-clocks/")
    assert answer.status_code == 200
    assert {(row["held_by"], row["kind"], row["outcome"]) for row in answer.json()} == {
        ("Networks (test)", "response", "running"),
        ("Networks (test)", "resolution", "running"),
    }
    api.force_authenticate(staff_user)  # the requester: not theirs to see
    assert api.get(f"/api/tickets/{ticket.pk}/operational-clocks/").status_code == 403
