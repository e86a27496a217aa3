"""SLA clocks on real tickets: due times stored on the ticket and its clocks, derived from its history."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.models import Service
from incidents import services
from incidents.models import Status, Ticket
from incidents.service_levels import clocks_recalculate_requested, history_points, ticket_clocks_refresh
from slas.business_time import business_between
from slas.calendars import calendar_spec
from slas.models import ClockRecalculation, ServiceLevelAgreement, SlaClock, SlaEvent, SlaTarget
from slas.services import sla_sweep
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
SAST = ZoneInfo("Africa/Johannesburg")


def standard_spec():
    return calendar_spec(ServiceLevelAgreement.objects.get(name="Standard").calendar_id)


def test_a_new_ticket_gets_due_times_from_the_default_sla(frozen, staff_user):
    frozen(2026, 11, 27, 14, 0)  # Friday 14:00
    ticket = TicketFactory(requester=staff_user, impact="medium", urgency="medium")  # P3: 4 h / 3 days

    assert ticket.sla.name == "Standard"
    ticket.refresh_from_db()
    assert ticket.response_due_at == datetime(2026, 11, 30, 9, 30, tzinfo=SAST)  # 2.5 h Fri + 1.5 h Mon
    assert business_between(
        standard_spec(), datetime(2026, 11, 27, 14, 0, tzinfo=SAST), ticket.resolution_due_at
    ) == (timedelta(minutes=3 * 510))


def test_a_critical_service_uses_the_critical_sla(frozen, staff_user):
    ticket = TicketFactory(
        requester=staff_user, service=Service.objects.get(name="Financial management system")
    )
    assert ticket.sla.name == "Critical services"


def test_pending_pauses_and_the_queue_due_time_is_cleared(frozen, staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user)  # P3 at 09:00 Tuesday
    frozen(2026, 11, 24, 10, 0)
    services.ticket_change_status(ticket=ticket, to=Status.PENDING, by=technician_user, pending_reason="user")
    ticket.refresh_from_db()
    assert ticket.resolution_due_at is None
    assert SlaClock.objects.get(ticket=ticket, kind="resolution").state == "paused"

    frozen(2026, 11, 25, 10, 0)  # a day later the requester answers
    services.ticket_comment(ticket=ticket, by=staff_user, body="Here is the serial")
    ticket.refresh_from_db()
    # 1 h counted before the pause; 3 business days minus 1 h remain from Wednesday 10:00.
    spent = business_between(
        standard_spec(), datetime(2026, 11, 25, 10, 0, tzinfo=SAST), ticket.resolution_due_at
    )
    assert spent == timedelta(minutes=3 * 510 - 60)


def test_first_response_stops_the_response_clock(frozen, staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user)
    frozen(2026, 11, 24, 9, 20)
    services.ticket_comment(ticket=ticket, by=technician_user, body="Looking at it now")

    clock = SlaClock.objects.get(ticket=ticket, kind="response")
    ticket.refresh_from_db()
    assert (clock.state, clock.breached_at, ticket.response_due_at) == ("stopped", None, None)
    assert clock.met is True


def test_resolve_stops_and_reopen_resumes_with_elapsed_time_kept(frozen, staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user)
    frozen(2026, 11, 24, 11, 0)
    services.ticket_change_status(
        ticket=ticket, to=Status.RESOLVED, by=technician_user, resolution_code="fixed", resolution_note="Done"
    )
    assert SlaClock.objects.get(ticket=ticket, kind="resolution").state == "stopped"
    frozen(2026, 11, 26, 9, 0)
    services.ticket_change_status(ticket=ticket, to=Status.REOPENED, by=staff_user)

    clock = SlaClock.objects.get(ticket=ticket, kind="resolution")
    assert clock.state == "running"
    assert clock.elapsed_seconds == 2 * 3600
    ticket.refresh_from_db()
    assert business_between(
        standard_spec(), datetime(2026, 11, 26, 9, 0, tzinfo=SAST), ticket.resolution_due_at
    ) == (timedelta(minutes=3 * 510 - 120))


def test_a_priority_change_keeps_the_elapsed_time(frozen, staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user, impact="low", urgency="low")  # P5
    frozen(2026, 11, 24, 10, 0)
    services.ticket_update(ticket=ticket, by=technician_user, impact="high", urgency="high")  # P1: 4 h

    ticket.refresh_from_db()
    assert ticket.priority == 1
    assert ticket.resolution_due_at == datetime(2026, 11, 24, 13, 0, tzinfo=SAST)  # 1 h of 4 already counted
    assert ticket.response_due_at == datetime(2026, 11, 24, 10, 0, tzinfo=SAST)  # P1's 30 min were used up


def test_an_sla_target_edit_recalculates_open_tickets(frozen, staff_user, django_capture_on_commit_callbacks):
    ticket = TicketFactory(requester=staff_user)  # P3 under Standard
    target = SlaTarget.objects.get(sla__name="Standard", priority=3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        target.response_minutes = 120
        target.save()
    assert callbacks, "recalculation is queued after the edit commits"
    request = ClockRecalculation.objects.get(finished_at__isnull=True)
    assert request.sla_ids == [target.sla_id]

    assert clocks_recalculate_requested() == 1
    ticket.refresh_from_db()
    assert ticket.response_due_at == datetime(2026, 11, 24, 11, 0, tzinfo=SAST)
    request.refresh_from_db()
    assert (request.finished_at is not None, request.tickets) == (True, 1)
    assert clocks_recalculate_requested() == 0  # done once: a second task finds nothing waiting


def test_many_rows_saved_together_recalculate_once(frozen, staff_user):
    """An admin form saving an agreement and its five targets asks six times; one pass does them all."""
    TicketFactory(requester=staff_user)
    standard = ServiceLevelAgreement.objects.get(name="Standard")
    for target in standard.targets.all():
        target.resolution_minutes += 10
        target.save()
    standard.save()
    assert ClockRecalculation.objects.filter(finished_at__isnull=True).count() == 6
    calls = []
    import incidents.service_levels as levels

    real = levels.tickets_recalculate
    levels.tickets_recalculate = lambda **kwargs: calls.append(kwargs) or real(**kwargs)
    try:
        assert clocks_recalculate_requested() == 1
    finally:
        levels.tickets_recalculate = real
    assert calls == [{"sla_ids": [standard.pk]}]
    assert not ClockRecalculation.objects.filter(finished_at__isnull=True).exists()


def test_a_request_whose_worker_died_is_taken_again(frozen, staff_user):
    """A worker killed mid-recalculation leaves its request started and unfinished: beat's run takes it
    again once it is clearly lost, and not before (a live worker may still be on it)."""
    TicketFactory(requester=staff_user)
    started = frozen(2026, 11, 24, 9, 0)
    ClockRecalculation.objects.create(sla_ids=None, started_at=started)
    assert clocks_recalculate_requested(now=started + timedelta(minutes=5)) == 0
    assert clocks_recalculate_requested(now=started + timedelta(minutes=31)) == 1
    assert not ClockRecalculation.objects.filter(finished_at__isnull=True).exists()


def test_an_ola_edit_asks_for_every_open_ticket(frozen, staff_user):
    from slas.models import OperationalTarget

    target = OperationalTarget.objects.filter(agreement__name="Networks OLA").first()
    target.resolution_minutes += 30
    target.save()
    assert ClockRecalculation.objects.get(finished_at__isnull=True).sla_ids is None


def test_a_rolled_back_edit_asks_for_nothing(frozen):
    from django.db import transaction

    target = SlaTarget.objects.get(sla__name="Standard", priority=3)
    with transaction.atomic():
        target.response_minutes = 125
        target.save()
        transaction.set_rollback(True)
    assert not ClockRecalculation.objects.exists()


# --- the sweep -------------------------------------------------------------------------------------------


def test_sweep_records_warning_then_breach_once_each(frozen, staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user, impact="high", urgency="high")  # P1: respond in 30 min
    services.ticket_take(ticket=ticket, by=technician_user)

    assert sla_sweep(now=datetime(2026, 11, 24, 9, 20, tzinfo=SAST)) == 0
    assert sla_sweep(now=datetime(2026, 11, 24, 9, 23, tzinfo=SAST)) == 1  # 75 % of 30 min
    assert sla_sweep(now=datetime(2026, 11, 24, 9, 23, tzinfo=SAST)) == 0
    assert sla_sweep(now=datetime(2026, 11, 24, 9, 31, tzinfo=SAST)) == 1
    assert sla_sweep(now=datetime(2026, 11, 24, 9, 40, tzinfo=SAST)) == 0

    events = list(SlaEvent.objects.filter(ticket=ticket, clock="response").values_list("kind", flat=True))
    assert sorted(events) == ["breach", "warning"]
    from common.models import Notification

    breach_mail = Notification.objects.filter(key__startswith=f"sla:{ticket.pk}:response:breach:")
    assert technician_user.email in set(breach_mail.values_list("to_address", flat=True))


def test_a_paused_clock_fires_nothing(frozen, staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user, impact="high", urgency="high")
    frozen(2026, 11, 24, 9, 10)
    services.ticket_change_status(
        ticket=ticket, to=Status.PENDING, by=technician_user, pending_reason="third_party"
    )
    assert sla_sweep(now=datetime(2026, 11, 24, 15, 0, tzinfo=SAST)) == 0
    assert not SlaEvent.objects.filter(ticket=ticket).exists()


def test_a_lowered_priority_clears_an_escalation_that_no_longer_applies(frozen, staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user, impact="high", urgency="high")
    sla_sweep(now=datetime(2026, 11, 24, 9, 25, tzinfo=SAST))
    assert SlaEvent.objects.filter(ticket=ticket, clock="response", kind="warning").exists()

    frozen(2026, 11, 24, 9, 26)
    services.ticket_update(ticket=ticket, by=technician_user, impact="low", urgency="low")  # P5: 2 days

    assert not SlaEvent.objects.filter(ticket=ticket, clock="response").exists()


# --- replaying the stored history gives the stored clocks ------------------------------------------------

moves = st.lists(
    st.tuples(
        st.integers(min_value=5, max_value=60 * 20),
        st.sampled_from(["pend", "resume", "reply", "resolve", "reopen", "raise", "lower", "service"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=moves)
def test_recomputing_from_history_gives_the_stored_due_times(steps, staff_user, technician_user, monkeypatch):
    from django.utils import timezone

    moment = [datetime(2026, 11, 23, 8, 30, tzinfo=SAST)]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    ticket = TicketFactory(requester=staff_user)
    critical = Service.objects.get(name="Payroll and HR system")
    for minutes, move in steps:
        moment[0] += timedelta(minutes=minutes)
        ticket.refresh_from_db()
        try:
            if move == "pend":
                services.ticket_change_status(
                    ticket=ticket, to=Status.PENDING, by=technician_user, pending_reason="user"
                )
            elif move == "resume":
                services.ticket_change_status(ticket=ticket, to=Status.IN_PROGRESS, by=technician_user)
            elif move == "reply":
                services.ticket_comment(ticket=ticket, by=technician_user, body="update")
            elif move == "resolve":
                services.ticket_change_status(
                    ticket=ticket,
                    to=Status.RESOLVED,
                    by=technician_user,
                    resolution_code="fixed",
                    resolution_note="x",
                )
            elif move == "reopen":
                services.ticket_change_status(ticket=ticket, to=Status.REOPENED, by=technician_user)
            elif move == "raise":
                services.ticket_update(ticket=ticket, by=technician_user, impact="high", urgency="high")
            elif move == "lower":
                services.ticket_update(ticket=ticket, by=technician_user, impact="low", urgency="low")
            else:
                services.ticket_update(ticket=ticket, by=technician_user, service=critical)
        except Exception as exc:  # moves the lifecycle refuses are part of a random history
            from django.core.exceptions import ValidationError

            assert isinstance(exc, ValidationError)
    stored = Ticket.objects.get(pk=ticket.pk)
    clocks = {c.kind: c for c in SlaClock.objects.filter(ticket=ticket)}
    # A fresh derivation from the history alone, later in time, gives exactly what is stored.
    moment[0] += timedelta(days=3)
    ticket_clocks_refresh(stored)
    again = Ticket.objects.get(pk=ticket.pk)
    assert (again.response_due_at, again.resolution_due_at) == (
        stored.response_due_at,
        stored.resolution_due_at,
    )
    for clock in SlaClock.objects.filter(ticket=ticket):
        before = clocks[clock.kind]
        assert (clock.due_at, clock.state, clock.elapsed_seconds, clock.breached_at) == (
            before.due_at,
            before.state,
            before.elapsed_seconds,
            before.breached_at,
        )
    assert history_points(stored)
