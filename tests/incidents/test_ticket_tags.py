"""incidents.templatetags.ticket_tags: times and people in plain words."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import PendingReason, Status
from incidents.selectors import ticket_sla_clocks
from incidents.templatetags.ticket_tags import (
    answer_label,
    business_duration_words,
    deadline_of,
    due_words,
    duration_words,
    event_to,
    nearest_deadline,
    operational_deadline_of,
    time_left_words,
    working_on,
)
from tests.factories import TicketFactory

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Africa/Johannesburg"))


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(hours=2, minutes=10, seconds=59), "2 h 10 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(minutes=35), "35 min"),
        (timedelta(seconds=20), "under 1 min"),
        (timedelta(days=2, hours=4, minutes=5), "2 d 4 h"),
        (timedelta(days=1), "1 d"),
    ],
)
def test_durations_in_two_units_rounded_down(delta, words):
    assert duration_words(delta) == words


def test_time_left_or_overdue_or_dash():
    assert time_left_words(NOW + timedelta(hours=2, minutes=10), now=NOW) == "2 h 10 min left"
    assert time_left_words(NOW - timedelta(minutes=35), now=NOW) == "overdue by 35 min"
    assert time_left_words(None, now=NOW) == "—"


def test_a_paused_clock_says_paused_and_no_target_is_a_dash():
    paused = SimpleNamespace(resolution_clock_state="paused", resolution_due_at=None)
    assert due_words(paused) == "paused"
    assert due_words(SimpleNamespace(resolution_clock_state=None, resolution_due_at=None)) == "—"


def test_who_is_working_on_it():
    person = SimpleNamespace(get_full_name=lambda: "Sipho Dlamini", username="sipho")
    group = SimpleNamespace(name="Networks")

    assert (
        working_on(SimpleNamespace(assignee_id=1, assignee=person, group_id=2, group=group))
        == "Sipho Dlamini"
    )
    assert working_on(SimpleNamespace(assignee_id=None, group_id=2, group=group)) == "the Networks team"
    assert working_on(SimpleNamespace(assignee_id=None, group_id=None)) == "nobody yet"


def test_history_values_and_answer_keys_in_words():
    assert event_to(SimpleNamespace(field="status", new_value="in_progress")) == "In progress"
    assert event_to(SimpleNamespace(field="assignee", new_value="sipho")) == "sipho"
    assert answer_label("start_date") == "Start date"


# --- deadlines in business time (issue 14) ----------------------------------------------------------------

SAST = ZoneInfo("Africa/Johannesburg")
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=SAST)  # a working Monday, no holiday that week


@pytest.mark.parametrize(
    ("delta", "day_minutes", "words"),
    [
        (timedelta(hours=3, minutes=10), 510, "3 h 10 min"),
        (timedelta(hours=17), 510, "2 business days"),
        (timedelta(hours=11), 510, "1 business day 2 h"),
        (timedelta(minutes=20), 510, "20 min"),
        (timedelta(days=2, hours=3), 24 * 60, "2 d 3 h"),  # a 24x7 calendar's day is a day
    ],
)
def test_business_time_in_words_counts_the_calendars_business_days(delta, day_minutes, words):
    assert business_duration_words(delta, day_minutes) == words


@pytest.mark.django_db
def test_a_deadline_says_the_business_time_left_then_the_date(staff_user):
    ticket = TicketFactory(requester=staff_user)
    ticket.resolution_due_at = MONDAY_10 + timedelta(hours=3, minutes=10)

    due = deadline_of(ticket, "resolution", now=MONDAY_10)

    assert (due.text, due.overdue, due.paused) == ("3 h 10 min left", False, False)
    assert due.detail == "by 7 Dec 2026, 13:10"


@pytest.mark.django_db
def test_an_overdue_deadline_counts_business_days_not_calendar_days(staff_user):
    ticket = TicketFactory(requester=staff_user)
    # Thursday 10:00 to Monday 10:00: 6.5 + 8.5 + 2 business hours = two business days of 8.5 hours.
    ticket.resolution_due_at = datetime(2026, 12, 3, 10, 0, tzinfo=SAST)

    due = deadline_of(ticket, "resolution", now=MONDAY_10)

    assert (due.text, due.overdue) == ("overdue by 2 business days", True)
    assert due.detail == "was due 3 Dec 2026, 10:00"


@pytest.mark.django_db
def test_a_paused_clock_says_since_when_and_what_is_left(staff_user, technician_user):
    ticket = TicketFactory(requester=staff_user)  # P3: 1,530 business minutes to fix
    ticket = services.ticket_change_status(
        ticket=ticket, to=Status.PENDING, by=technician_user, pending_reason=PendingReason.THIRD_PARTY
    )
    clocks = ticket_sla_clocks(ticket)
    paused_at = clocks["resolution"].state_since

    due = deadline_of(ticket, "resolution", clocks, now=MONDAY_10)

    assert ticket.resolution_due_at is None  # what the page used to say "not set yet" for
    left = timedelta(minutes=1530) - timedelta(seconds=clocks["resolution"].elapsed_seconds)
    assert due.text == f"clock paused: {business_duration_words(left, 510)} left"
    assert due.paused and not due.overdue
    assert timezone.localtime(paused_at).strftime("%-d %b %Y, %H:%M") in due.detail


@pytest.mark.django_db
def test_the_queue_shows_the_nearest_running_deadline(staff_user):
    ticket = TicketFactory(requester=staff_user)
    ticket.response_due_at = datetime(2026, 12, 7, 9, 0, tzinfo=SAST)
    ticket.resolution_due_at = datetime(2026, 12, 9, 9, 0, tzinfo=SAST)

    assert nearest_deadline(ticket, now=MONDAY_10).text == "answer overdue by 1 h"
    ticket.response_due_at = None
    assert nearest_deadline(ticket, now=MONDAY_10).text == "1 business day 7 h left"
    ticket.resolution_clock_state = "paused"  # the row's resolution clock (selectors.queue_rows)
    assert nearest_deadline(ticket, now=MONDAY_10).text == "paused"


# --- OLA and supplier-contract clocks in the same words (issue 14) -----------------------------------------


def office_hours_clock(**values):
    """An OLA clock (only what the words read) on the shipped Monday-Friday 08:00-16:30 calendar."""
    from slas.models import ClockState, ServiceLevelAgreement

    calendar_id = ServiceLevelAgreement.objects.get(is_default=True).calendar_id
    base = {
        "agreement": SimpleNamespace(calendar_id=calendar_id),
        "state": ClockState.RUNNING,
        "target_minutes": 240,
        "elapsed_seconds": 0,
        "state_since": MONDAY_10 - timedelta(hours=1),
        "due_at": None,
        "breached_at": None,
    }
    return SimpleNamespace(**{**base, **values})


@pytest.mark.django_db
def test_an_ola_clock_says_business_time_left_as_the_tickets_deadlines_do():
    due = operational_deadline_of(
        office_hours_clock(due_at=MONDAY_10 + timedelta(hours=3, minutes=10)), MONDAY_10
    )

    assert (due.text, due.detail, due.overdue) == ("3 h 10 min left", "by 7 Dec 2026, 13:10", False)


@pytest.mark.django_db
def test_an_overdue_ola_clock_counts_business_days_not_calendar_days():
    thursday = datetime(2026, 12, 3, 10, 0, tzinfo=SAST)
    clock = office_hours_clock(due_at=thursday, breached_at=thursday)

    due = operational_deadline_of(clock, MONDAY_10)

    assert (due.text, due.overdue) == ("overdue by 2 business days", True)  # not "overdue by 4 d"
    assert due.detail == "was due 3 Dec 2026, 10:00"


@pytest.mark.django_db
def test_a_stopped_or_paused_ola_clock_says_what_it_took_or_has_left():
    from slas.models import ClockState

    met = office_hours_clock(state=ClockState.STOPPED, elapsed_seconds=int(10.5 * 3600), target_minutes=900)
    breached = office_hours_clock(
        state=ClockState.STOPPED, elapsed_seconds=5 * 3600, breached_at=MONDAY_10 - timedelta(hours=1)
    )
    paused = office_hours_clock(state=ClockState.PAUSED, elapsed_seconds=3600)

    assert operational_deadline_of(met, MONDAY_10).text == "met in 1 business day 2 h"
    assert (
        operational_deadline_of(breached, MONDAY_10).text,
        operational_deadline_of(breached, MONDAY_10).overdue,
    ) == (
        "breached: took 5 h",
        True,
    )
    assert operational_deadline_of(paused, MONDAY_10).text == "clock paused: 3 h left"
    assert operational_deadline_of(paused, MONDAY_10).paused
