"""How the ticket pages say times and people in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from incidents.models import Status
from slas.agreements import spec_day_minutes
from slas.business_time import CalendarSpec, business_between
from slas.calendars import calendar_spec
from slas.models import ClockKind, ClockState
from slas.outcomes import Outcome, clock_outcome

register = template.Library()


def duration_words(delta: timedelta) -> str:
    """3 d 4 h, 2 h 10 min, 35 min, under 1 min: the two largest units, rounded down."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under 1 min"


def time_left_words(due_at: datetime | None, now: datetime | None = None) -> str:
    """ "2 h 10 min left", "overdue by 35 min", or "—" when there is no due time."""
    if due_at is None:
        return "—"
    remaining = due_at - (now or timezone.now())
    if remaining >= timedelta(0):
        return f"{duration_words(remaining)} left"
    return f"overdue by {duration_words(-remaining)}"


@register.filter
def duration(delta: timedelta) -> str:
    return duration_words(delta)


@register.filter
def time_left(due_at: datetime | None) -> str:
    return time_left_words(due_at)


def business_duration_words(delta: timedelta, day_minutes: int | None) -> str:
    """Business time in words: "3 h 10 min", "2 business days 3 h", "under 1 min". A day is the
    calendar's business day (8.5 h for Monday-Friday 08:00-16:30; 24 h, said "d", for a 24x7 calendar)."""
    day = timedelta(minutes=day_minutes) if day_minutes else None
    if day is None or day == timedelta(days=1) or delta < day:
        return duration_words(delta)
    days, rest = divmod(delta, day)
    hours = int(rest.total_seconds() // 3600)
    text = f"{days} business day{'' if days == 1 else 's'}"
    return f"{text} {hours} h" if hours and days < 10 else text  # hours are noise past ten days


@dataclass(frozen=True)
class Deadline:
    """A response or fix deadline as the ticket page says it: the business time left (or overdue) in
    words first, the date second."""

    text: str
    detail: str = ""
    overdue: bool = False
    paused: bool = False


def _when(instant: datetime) -> str:
    return date_format(timezone.localtime(instant), "j M Y, H:i")


def _calendar(ticket) -> tuple[CalendarSpec, int] | None:
    """The business calendar of the ticket's SLA (ticket.sla joined by selectors.ticket_for_page) and the
    length of its business day; None when no SLA covers the ticket."""
    if ticket.sla_id is None:
        return None
    spec = calendar_spec(ticket.sla.calendar_id)
    return spec, spec_day_minutes(spec)


def due_in_business_time(due: datetime, calendar: tuple[CalendarSpec, int], now: datetime) -> Deadline:
    """A running clock's due time as its calendar counts: "3 h 10 min left" or "overdue by 2 business
    days", the date second."""
    spec, day_minutes = calendar
    if due >= now:
        left = business_between(spec, now, due)
        return Deadline(f"{business_duration_words(left, day_minutes)} left", f"by {_when(due)}")
    late = business_between(spec, due, now)
    return Deadline(
        f"overdue by {business_duration_words(late, day_minutes)}", f"was due {_when(due)}", overdue=True
    )


def _paused(left: timedelta, day_minutes: int, since: str, overdue: bool) -> Deadline:
    """A paused clock: the business time it had left when it stopped (or how late it already was)."""
    if not overdue:
        return Deadline(
            f"clock paused: {business_duration_words(left, day_minutes)} left", since, paused=True
        )
    return Deadline(
        f"clock paused: overdue by {business_duration_words(-left, day_minutes)}",
        since,
        overdue=True,
        paused=True,
    )


def deadline_of(ticket, kind: str, clocks: dict | None = None, now: datetime | None = None) -> Deadline:
    """The ticket's response or fix deadline in business time (slas.business_time; a pending ticket's
    clocks from `clocks`, selectors.ticket_sla_clocks)."""
    now = now or timezone.now()
    calendar = _calendar(ticket)
    clock = (clocks or {}).get(kind)
    if clock is not None and clock.state == ClockState.PAUSED and calendar is not None:
        left = timedelta(minutes=clock.target_minutes) - timedelta(seconds=clock.elapsed_seconds)
        since = f"paused since {_when(clock.state_since)}, while the ticket waits"
        # slas.outcomes: a clock that breached before it paused is overdue
        return _paused(left, calendar[1], since, clock_outcome(clock, now) == Outcome.OVERDUE)
    due = ticket.response_due_at if kind == ClockKind.RESPONSE else ticket.resolution_due_at
    if due is None or calendar is None:
        return Deadline("not set yet")
    return due_in_business_time(due, calendar, now)


def operational_deadline_of(clock, now: datetime | None = None) -> Deadline:
    """An OLA or supplier-contract clock (slas.OperationalClock, with its agreement and calendar) in the
    words of the ticket's own deadlines: business time left or overdue in the agreement's calendar,
    paused, or met or breached with the business time it took."""
    now = now or timezone.now()
    spec = calendar_spec(clock.agreement.calendar_id)
    day_minutes = spec_day_minutes(spec)
    outcome = clock_outcome(clock, now)
    used = business_duration_words(timedelta(seconds=clock.elapsed_seconds), day_minutes)
    if outcome == Outcome.MET:
        return Deadline(f"met in {used}")
    if outcome == Outcome.BREACHED:
        return Deadline(f"breached: took {used}", overdue=True)
    if clock.state == ClockState.PAUSED:  # overdue, when it ran out before it paused (slas.outcomes)
        left = timedelta(minutes=clock.target_minutes) - timedelta(seconds=clock.elapsed_seconds)
        return _paused(left, day_minutes, "while the ticket waits", outcome == Outcome.OVERDUE)
    if clock.due_at is None:
        return Deadline("not set yet")
    return due_in_business_time(clock.due_at, (spec, day_minutes), now)


@register.simple_tag
def operational_deadline(clock) -> Deadline:
    """{% operational_deadline clock as due %}: see operational_deadline_of."""
    return operational_deadline_of(clock)


@register.simple_tag
def deadline(ticket, kind: str, clocks: dict | None = None) -> Deadline:
    """{% deadline ticket "response" sla_clocks as due %}: see deadline_of."""
    return deadline_of(ticket, kind, clocks)


def nearest_deadline(ticket, now: datetime | None = None) -> Deadline:
    """A queue row's due column: its nearest running deadline (the response's while nobody has answered,
    else the fix's; selectors.nearest_due orders the queues by it) in business time; "paused" while the
    ticket waits: its resolution clock is paused (selectors.queue_rows reads the clock's state)."""
    if getattr(ticket, "resolution_clock_state", None) == ClockState.PAUSED:
        return Deadline("paused", "the clock stands still while the ticket waits", paused=True)
    due, kind = min(
        (
            (at, kind)
            for at, kind in ((ticket.response_due_at, "response"), (ticket.resolution_due_at, "fix"))
            if at
        ),
        default=(None, ""),
    )
    calendar = _calendar(ticket)
    if due is None or calendar is None:
        return Deadline("—")
    spec, day_minutes = calendar
    now = now or timezone.now()
    what = "answer" if kind == "response" else "fix"
    if due >= now:
        left = business_duration_words(business_between(spec, now, due), day_minutes)
        return Deadline(
            f"{what} in {left}" if kind == "response" else f"{left} left", f"{what} due {_when(due)}"
        )
    late = business_duration_words(business_between(spec, due, now), day_minutes)
    text = f"answer overdue by {late}" if kind == "response" else f"overdue by {late}"
    return Deadline(text, f"{what} was due {_when(due)}", overdue=True)


@register.simple_tag
def queue_due(ticket) -> Deadline:
    """{% queue_due ticket as due %}: see nearest_deadline."""
    return nearest_deadline(ticket)


@register.filter
def due_words(ticket) -> str:
    """The queue's due column (a row of selectors.queue_rows): time to the fix target; "paused" while
    its resolution clock is paused (the ticket waits); "—" when no target is set."""
    if getattr(ticket, "resolution_clock_state", None) == ClockState.PAUSED:
        return "paused"
    return time_left_words(ticket.resolution_due_at)


@register.filter
def working_on(ticket) -> str:
    """Who is working on the ticket: the person, else "the <group> team", else nobody yet."""
    if ticket.assignee_id:
        return ticket.assignee.get_full_name() or ticket.assignee.username
    if ticket.group_id:
        return f"the {ticket.group.name} team"
    return "nobody yet"


@register.filter
def person(user) -> str:
    if user is None:
        return "the service desk (automatic)"
    return user.get_full_name() or user.username


# What a history row says happened, where its field says more than its kind ("Priority changed" is also
# written for a change of impact or urgency, which then moves the priority in a row of its own).
EVENT_WHAT = {"impact": "Impact changed", "urgency": "Urgency changed"}


def _event_value(event, value: str, row) -> str:
    """A history value in words: the person or agreement it names (selectors.ticket_history finds them),
    a status's label, an impact or urgency in one word."""
    if row is not None:
        return person(row) if event.field == "assignee" else str(row)
    if event.field == "status" and value in Status.values:
        return Status(value).label
    if event.field in ("impact", "urgency"):
        return value.capitalize()
    return value


@register.filter
def event_what(event) -> str:
    return EVENT_WHAT.get(event.field) or event.get_kind_display()


@register.filter
def event_from(event) -> str:
    return _event_value(event, event.old_value, getattr(event, "old_row", None))


@register.filter
def event_to(event) -> str:
    return _event_value(event, event.new_value, getattr(event, "new_row", None))


@register.filter
def event_note(event) -> str:
    """The event's note, unless the change says it already (an SLA's name is its note too)."""
    return "" if event.note == event_to(event) else event.note


@register.filter
def answer_label(key: str) -> str:
    """A request answer's key as words: start_date -> Start date."""
    return str(key).replace("_", " ").capitalize()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "")


CLOCK_NAMES = {
    ("ola", "response"): "taken by a member",
    ("ola", "resolution"): "resolved or handed on",
    ("uc", "resolution"): "restored and handed back",
}


@register.filter
def operational_target(clock) -> str:
    """ "Taken by a member within 1 h" - what the OLA or contract promises for this clock."""
    what = CLOCK_NAMES.get((clock.agreement.kind, clock.kind), clock.get_kind_display().lower())
    from slas.agreements import minutes_in_words

    # In hours, not days: hours are right whatever the length of the calendar's day.
    within = minutes_in_words(clock.target_minutes, None, business=not clock.agreement.calendar.always_open)
    return f"{what.capitalize()} within {within}"
