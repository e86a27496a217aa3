"""incidents.templatetags.ticket_tags: times and people in plain words."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from incidents.templatetags.ticket_tags import (
    answer_label,
    due_words,
    duration_words,
    event_to,
    time_left_words,
    working_on,
)

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


def test_a_pending_ticket_is_paused_and_no_target_is_a_dash():
    assert due_words(SimpleNamespace(status="pending", resolution_due_at=NOW)) == "paused"
    assert due_words(SimpleNamespace(status="new", resolution_due_at=None)) == "—"


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
