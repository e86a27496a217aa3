"""slas.outcomes: met, breached and overdue have one definition, and its SQL and Python forms agree on
every clock, SLA or OLA, running, paused or stopped, at the boundary instant and on either side of it."""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import FilteredRelation, Q

from incidents.models import Ticket
from slas.models import (
    BusinessCalendar,
    ClockKind,
    ClockState,
    OperationalAgreement,
    OperationalClock,
    SlaClock,
)
from slas.outcomes import (
    clock_breached_q,
    clock_late,
    clock_late_q,
    clock_met,
    clock_met_q,
    clock_outcome,
    clock_outcome_case,
)
from tests.factories import SupportGroupFactory, TicketFactory

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 30, 22, 0, tzinfo=ZoneInfo("UTC"))  # midnight in South Africa: a month's end
SECOND = timedelta(seconds=1)
TIMES = (None, AT - SECOND, AT, AT + SECOND)
CASES = list(itertools.product(ClockState.values, TIMES, TIMES))  # state, due_at, breached_at


def _operational_clocks() -> list[OperationalClock]:
    calendar = BusinessCalendar.objects.create(name="Outcomes (test)", always_open=True)
    agreement = OperationalAgreement.objects.create(
        name="Outcomes OLA (test)",
        kind=OperationalAgreement.Kind.OLA,
        group=SupportGroupFactory(name="Outcomes (test)"),
        calendar=calendar,
        review_date=date(2027, 6, 30),
    )
    ticket = TicketFactory()
    return OperationalClock.objects.bulk_create(
        OperationalClock(
            ticket=ticket,
            agreement=agreement,
            kind=ClockKind.RESOLUTION,
            held_from=AT - timedelta(days=1, seconds=i),
            priority=3,
            target_minutes=60,
            state=state,
            elapsed_seconds=3600,
            state_since=AT - timedelta(hours=1),
            due_at=due_at,
            breached_at=breached_at,
            stopped_at=AT - SECOND if state == ClockState.STOPPED else None,
        )
        for i, (state, due_at, breached_at) in enumerate(CASES)
    )


def _sla_clocks() -> list[SlaClock]:
    """The same cases on tickets' resolution clocks (one per ticket)."""
    tickets = [TicketFactory() for _ in CASES]
    for ticket, (state, due_at, breached_at) in zip(tickets, CASES, strict=True):
        SlaClock.objects.filter(ticket=ticket, kind=ClockKind.RESOLUTION).update(
            state=state, due_at=due_at, breached_at=breached_at
        )
    return list(SlaClock.objects.filter(ticket__in=tickets, kind=ClockKind.RESOLUTION))


@pytest.mark.parametrize("make", [_operational_clocks, _sla_clocks], ids=["ola", "sla"])
def test_sql_and_python_give_every_clock_the_same_outcome(make):
    clocks = make()
    model = type(clocks[0])
    rows = model.objects.filter(pk__in=[c.pk for c in clocks])

    in_sql = dict(rows.annotate(outcome=clock_outcome_case(AT)).values_list("pk", "outcome"))
    assert in_sql == {clock.pk: clock_outcome(clock, AT) for clock in clocks}

    late = set(rows.filter(clock_late_q(AT)).values_list("pk", flat=True))
    assert late == {clock.pk for clock in clocks if clock_late(clock, AT)}
    met = set(rows.filter(clock_met_q()).values_list("pk", flat=True))
    assert met == {clock.pk for clock in clocks if clock_met(clock) is True}
    breached = set(rows.filter(clock_breached_q()).values_list("pk", flat=True))
    assert breached == {clock.pk for clock in clocks if clock_met(clock) is False}
    assert len(set(in_sql.values())) == 5  # every outcome is among the cases


def test_the_rule_at_the_boundary():
    def clock(state, due_at=None, breached_at=None):
        return OperationalClock(state=state, due_at=due_at, breached_at=breached_at)

    # A target that runs out at the very instant asked about has run out by then.
    assert clock_outcome(clock(ClockState.RUNNING, due_at=AT), AT) == "overdue"
    assert clock_outcome(clock(ClockState.PAUSED, breached_at=AT), AT) == "overdue"
    assert clock_outcome(clock(ClockState.RUNNING, due_at=AT + SECOND), AT) == "running"
    assert clock_outcome(clock(ClockState.PAUSED, breached_at=AT + SECOND), AT) == "paused"
    assert clock_outcome(clock(ClockState.PAUSED), AT) == "paused"
    # A stopped clock's outcome is final: whether it recorded a breach.
    assert clock_outcome(clock(ClockState.STOPPED), AT) == "met"
    assert clock_outcome(clock(ClockState.STOPPED, breached_at=AT + SECOND), AT) == "breached"
    assert clock_met(clock(ClockState.RUNNING, due_at=AT - SECOND)) is None


def test_through_a_relation_the_rule_reads_the_joined_clock():
    tickets = [TicketFactory() for _ in range(3)]
    cases = [(ClockState.RUNNING, AT), (ClockState.RUNNING, AT + SECOND), (ClockState.PAUSED, None)]
    for ticket, (state, due_at) in zip(tickets, cases, strict=True):
        SlaClock.objects.filter(ticket=ticket, kind=ClockKind.RESOLUTION).update(state=state, due_at=due_at)
    joined = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).alias(
        clock=FilteredRelation("sla_clocks", condition=Q(sla_clocks__kind=ClockKind.RESOLUTION))
    )

    assert list(joined.filter(clock_late_q(AT, via="clock__")).values_list("pk", flat=True)) == [
        tickets[0].pk
    ]
    outcomes = dict(joined.annotate(o=clock_outcome_case(AT, via="clock__")).values_list("pk", "o"))
    assert outcomes == {tickets[0].pk: "overdue", tickets[1].pk: "running", tickets[2].pk: "paused"}
    assert SlaClock(state=ClockState.STOPPED).met is True
