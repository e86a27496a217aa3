"""How the ticket pages say times and people in plain words."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from incidents.models import Status

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
def time_left(due_at: datetime | None) -> str:
    return time_left_words(due_at)


@register.filter
def due_words(ticket) -> str:
    """The queue's due column: time to the fix target; "paused" while the ticket waits (its SLA clock
    does not run); "—" when no target is set."""
    if ticket.status == Status.PENDING:
        return "paused"
    return time_left_words(ticket.resolution_due_at)


@register.filter
def is_overdue(due_at: datetime | None) -> bool:
    return due_at is not None and due_at < timezone.now()


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


def _event_value(field: str, value: str) -> str:
    if field == "status" and value in Status.values:
        return Status(value).label
    return value


@register.filter
def event_from(event) -> str:
    return _event_value(event.field, event.old_value)


@register.filter
def event_to(event) -> str:
    return _event_value(event.field, event.new_value)


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


@register.filter
def operational_state(clock) -> str:
    """Met / breached / paused / "2 h left" / "overdue by 10 min" for an OLA or contract clock."""
    from slas.operational import clock_outcome

    outcome = clock_outcome(clock)
    if outcome == "met":
        return f"met ({duration_words(timedelta(seconds=clock.elapsed_seconds))} used)"
    if outcome == "breached":
        return f"breached ({duration_words(timedelta(seconds=clock.elapsed_seconds))} used)"
    if outcome == "paused":
        return "paused (the ticket is pending)"
    return time_left_words(clock.due_at)
