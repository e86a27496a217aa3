"""Fair clocks: a ticket's SLA clocks do not count the time its site was down (issue 20's examples)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from incidents.service_levels import clocks_recalculate_requested
from outages.models import Outage, OutageKind, OutageScope
from outages.services import outage_correct, outage_end, outage_record
from sites.models import Site
from slas.models import ClockRecalculation, OutagePolicy, ServiceLevelAgreement
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
SAST = ZoneInfo("Africa/Johannesburg")


def at(*args):
    return datetime(*args, tzinfo=SAST)


@pytest.fixture
def willowvale():
    return Site.objects.filter(name__icontains="Willowvale").order_by("pk").first()


def p3_at_willowvale(frozen, staff_user, site):
    frozen(2026, 12, 1, 10, 0)  # Tuesday 10:00
    ticket = TicketFactory(requester=staff_user, site=site, impact="medium", urgency="medium")
    ticket.refresh_from_db()
    return ticket


def test_load_shedding_recorded_beforehand_moves_the_fix_by_its_length(frozen, staff_user, willowvale):
    plain = p3_at_willowvale(frozen, staff_user, willowvale)
    frozen(2026, 12, 1, 9, 0)
    outage_record(
        scope=OutageScope.POWER,
        kind=OutageKind.LOAD_SHEDDING,
        site=willowvale,
        started_at=at(2026, 12, 1, 12, 0),
        ended_at=at(2026, 12, 1, 14, 30),
    )
    shed = p3_at_willowvale(frozen, staff_user, willowvale)
    assert shed.resolution_due_at - plain.resolution_due_at == timedelta(hours=2, minutes=30)


def test_an_outage_recorded_afterwards_moves_the_open_tickets_due_time(frozen, staff_user, willowvale):
    ticket = p3_at_willowvale(frozen, staff_user, willowvale)
    before = ticket.resolution_due_at
    frozen(2026, 12, 1, 15, 0)
    outage = outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.UNPLANNED,
        site=willowvale,
        started_at=at(2026, 12, 1, 11, 0),
        ended_at=at(2026, 12, 1, 12, 0),
    )
    assert ClockRecalculation.objects.filter(site_ids=[willowvale.pk], finished_at__isnull=True).exists()
    clocks_recalculate_requested()
    ticket.refresh_from_db()
    assert ticket.resolution_due_at - before == timedelta(hours=1)

    # Corrected: it lasted until 12:30.
    outage_correct(outage, ended_at=at(2026, 12, 1, 12, 30))
    clocks_recalculate_requested()
    ticket.refresh_from_db()
    assert ticket.resolution_due_at - before == timedelta(hours=1, minutes=30)


def test_a_ticket_at_another_site_is_not_moved(frozen, staff_user, willowvale):
    dutywa = Site.objects.get(name="Dutywa Main Building")
    ticket = p3_at_willowvale(frozen, staff_user, dutywa)
    before = ticket.resolution_due_at
    outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.UNPLANNED,
        site=willowvale,
        started_at=at(2026, 12, 1, 11),
        ended_at=at(2026, 12, 1, 12),
    )
    clocks_recalculate_requested()
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == before


def test_planned_outages_do_not_pause_by_default_but_may(frozen, staff_user, willowvale):
    ticket = p3_at_willowvale(frozen, staff_user, willowvale)
    before = ticket.resolution_due_at
    outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.PLANNED,
        site=willowvale,
        started_at=at(2026, 12, 1, 11),
        ended_at=at(2026, 12, 1, 12),
    )
    clocks_recalculate_requested()
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == before

    ServiceLevelAgreement.objects.filter(pk=ticket.sla_id).update(pause_for_outages=OutagePolicy.ALL)
    ClockRecalculation.objects.create(site_ids=[willowvale.pk])
    clocks_recalculate_requested()
    ticket.refresh_from_db()
    assert ticket.resolution_due_at - before == timedelta(hours=1)


def test_an_open_outage_counts_until_now_and_ending_it_settles_it(frozen, staff_user, willowvale):
    ticket = p3_at_willowvale(frozen, staff_user, willowvale)
    before = ticket.resolution_due_at
    frozen(2026, 12, 1, 11, 0)
    outage = outage_record(
        scope=OutageScope.POWER, kind=OutageKind.UNPLANNED, site=willowvale, started_at=at(2026, 12, 1, 11)
    )
    frozen(2026, 12, 1, 11, 45)
    clocks_recalculate_requested()
    ticket.refresh_from_db()
    assert ticket.resolution_due_at - before == timedelta(minutes=45)
    outage_end(outage, at=at(2026, 12, 1, 12, 10))
    clocks_recalculate_requested()
    ticket.refresh_from_db()
    assert ticket.resolution_due_at - before == timedelta(minutes=70)
    assert outage_end(outage, at=at(2026, 12, 1, 13)).ended_at == at(2026, 12, 1, 12, 10)


def test_bad_outages_are_refused_and_change_nothing(willowvale):
    with pytest.raises(ValidationError):
        outage_record(
            scope=OutageScope.SITE,
            kind=OutageKind.UNPLANNED,
            site=willowvale,
            started_at=at(2026, 12, 1, 12),
            ended_at=at(2026, 12, 1, 11),
        )
    with pytest.raises(ValidationError):
        outage_record(scope=OutageScope.SITE, kind=OutageKind.UNPLANNED, started_at=at(2026, 12, 1, 12))
    with pytest.raises(ValidationError):
        outage_record(
            scope=OutageScope.LINK, kind=OutageKind.LOAD_SHEDDING, site=willowvale, started_at=at(2026, 12, 1)
        )
    assert not Outage.objects.exists()
    assert not ClockRecalculation.objects.filter(site_ids__isnull=False).exists()


def test_the_ticket_page_and_json_say_what_was_not_counted(
    frozen, staff_user, technician_user, willowvale, client
):
    ticket = p3_at_willowvale(frozen, staff_user, willowvale)
    frozen(2026, 12, 1, 15, 0)
    outage = outage_record(
        scope=OutageScope.POWER,
        kind=OutageKind.LOAD_SHEDDING,
        site=willowvale,
        started_at=at(2026, 12, 1, 12, 0),
        ended_at=at(2026, 12, 1, 14, 30),
    )
    clocks_recalculate_requested()
    ticket.refresh_from_db()
    assert ticket.outage_paused_minutes == 150

    client.force_login(technician_user)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert (
        f"{outage.reference} {willowvale.name} load-shedding 1 Dec 12:00\u201314:30: 2 h 30 min not counted"
        in page
    )
    assert client.get(f"/api/tickets/{ticket.pk}/").json()["outage_paused_minutes"] == 150
    client.force_login(staff_user)
    assert "2 h 30 min not counted" in client.get(f"/tickets/{ticket.pk}/").content.decode()
