"""The two business-time functions: examples a service desk meets, and properties that must always hold."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slas.business_time import CalendarSpec, business_add, business_between, is_open
from slas.calendars import south_african_public_holidays

SAST = ZoneInfo("Africa/Johannesburg")
WEEKDAY = ((time(8, 0), time(16, 30)),)
STANDARD = CalendarSpec(hours=(WEEKDAY,) * 5 + ((), ()), closed=south_african_public_holidays())
SHUTDOWN = CalendarSpec(
    hours=STANDARD.hours,
    closed=STANDARD.closed | {date(2026, 12, d) for d in range(28, 32)} | {date(2027, 1, 2)},
)
ALWAYS = CalendarSpec(always_open=True)
LUNCH = CalendarSpec(hours=(((time(8), time(12, 30)), (time(13, 30), time(16, 30))),) * 5 + ((), ()))


def at(*args):
    return datetime(*args, tzinfo=SAST)


def hours(n):
    return timedelta(hours=n)


@pytest.mark.parametrize(
    ("name", "spec", "start", "duration", "due"),
    [
        ("within a day", STANDARD, at(2026, 11, 24, 9, 0), hours(4), at(2026, 11, 24, 13, 0)),
        (
            "Friday afternoon runs into Monday",
            STANDARD,
            at(2026, 11, 27, 14, 0),
            hours(4),
            at(2026, 11, 30, 9, 30),
        ),
        (
            "logged at night starts at opening",
            STANDARD,
            at(2026, 11, 24, 22, 0),
            hours(1),
            at(2026, 11, 25, 9, 0),
        ),
        (
            "logged on Saturday starts Monday",
            STANDARD,
            at(2026, 11, 28, 10, 0),
            timedelta(minutes=30),
            at(2026, 11, 30, 8, 30),
        ),
        (
            "Heritage Day (Thursday 24 Sep 2026) is closed",
            STANDARD,
            at(2026, 9, 23, 16, 0),
            hours(1),
            at(2026, 9, 25, 8, 30),
        ),
        # Easter 2026: Good Friday 3 April and Family Day Monday 6 April.
        ("Easter weekend is four days", STANDARD, at(2026, 4, 2, 15, 30), hours(2), at(2026, 4, 7, 9, 0)),
        # Women's Day, Sunday 9 August 2026, is observed on Monday 10 August.
        (
            "a Sunday holiday is observed on Monday",
            STANDARD,
            at(2026, 8, 7, 16, 0),
            hours(1),
            at(2026, 8, 11, 8, 30),
        ),
        # Year end: 25 Dec (Fri), 26 Dec (Sat); 28-31 Dec open in the standard calendar.
        ("year end", STANDARD, at(2026, 12, 24, 16, 0), hours(1), at(2026, 12, 28, 8, 30)),
        (
            "year end with the municipal shutdown",
            SHUTDOWN,
            at(2026, 12, 24, 16, 0),
            hours(1),
            at(2027, 1, 4, 8, 30),
        ),
        ("five business days", STANDARD, at(2026, 11, 23, 8, 0), hours(5 * 8.5), at(2026, 11, 27, 16, 30)),
        ("24x7 counts every minute", ALWAYS, at(2026, 12, 25, 23, 0), hours(4), at(2026, 12, 26, 3, 0)),
        ("a lunch closure is skipped", LUNCH, at(2026, 11, 24, 12, 0), hours(1), at(2026, 11, 24, 14, 0)),
        (
            "zero is the start itself",
            STANDARD,
            at(2026, 11, 28, 10, 0),
            timedelta(0),
            at(2026, 11, 28, 10, 0),
        ),
    ],
)
def test_examples(name, spec, start, duration, due):
    assert business_add(spec, start, duration) == due
    if duration:
        assert business_between(spec, start, due) == duration


def test_between_skips_the_weekend_and_a_holiday():
    # Thursday 23 April 16:00 to Tuesday 28 April 09:00, 2026: Freedom Day is Monday 27 April.
    assert business_between(STANDARD, at(2026, 4, 23, 16, 0), at(2026, 4, 28, 9, 0)) == hours(0.5 + 8.5 + 1)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        business_add(STANDARD, datetime(2026, 1, 5, 9), hours(1))  # noqa: DTZ001


def test_negative_durations_are_refused():
    with pytest.raises(ValueError, match="backwards"):
        business_add(STANDARD, at(2026, 1, 5, 9), -hours(1))


# --- properties ------------------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 (hypothesis needs naive bounds; timezones below)
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(SAST),
)
durations = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda m: timedelta(minutes=m))
specs = st.sampled_from([STANDARD, SHUTDOWN, ALWAYS, LUNCH])


@settings(max_examples=300, deadline=None)
@given(spec=specs, start=instants, duration=durations)
def test_add_and_between_agree(spec, start, duration):
    due = business_add(spec, start, duration)
    assert business_between(spec, start, due) == duration


@settings(max_examples=300, deadline=None)
@given(spec=specs, start=instants, a=durations, b=durations)
def test_add_never_goes_backwards(spec, start, a, b):
    short, long = sorted((a, b))
    assert start <= business_add(spec, start, short) <= business_add(spec, start, long)


@settings(max_examples=200, deadline=None)
@given(spec=specs, start=instants, end=instants)
def test_between_never_exceeds_wall_time_and_is_zero_backwards(spec, start, end):
    measured = business_between(spec, start, end)
    assert timedelta(0) <= measured <= max(end - start, timedelta(0))


@settings(max_examples=200, deadline=None)
@given(spec=specs, start=instants, minutes=st.integers(min_value=1, max_value=60 * 24 * 10))
def test_every_counted_minute_is_open(spec, start, minutes):
    # The minute just before the due time was open: the clock only ever runs in open time.
    due = business_add(spec, start, timedelta(minutes=minutes))
    assert is_open(spec, due - timedelta(seconds=1))


@settings(max_examples=200, deadline=None)
@given(spec=specs, start=instants, middle=durations, rest=durations)
def test_measuring_is_additive(spec, start, middle, rest):
    mid = business_add(spec, start, middle)
    end = business_add(spec, mid, rest)
    assert business_between(spec, start, end) == middle + rest


@settings(max_examples=100, deadline=None)
@given(start=instants, end=instants)
def test_closed_days_are_never_counted(start, end):
    # A day that is closed adds nothing: measure across it equals measuring with it open minus its hours.
    if end < start:
        start, end = end, start
    closed_days = set(SHUTDOWN.closed - STANDARD.closed)
    assert business_between(SHUTDOWN, start, end) <= business_between(STANDARD, start, end)
    if not any(start.date() <= d <= end.date() for d in closed_days):
        assert business_between(SHUTDOWN, start, end) == business_between(STANDARD, start, end)
