"""Windows of unavailability (a site's outages, load-shedding) taken out of business time: the issue's
hand-worked examples and the property that adding windows never makes a due time earlier."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slas.business_time import business_add, business_between, is_open, merge_windows, with_windows

from .test_business_time import ALWAYS, LUNCH, SHUTDOWN, STANDARD

SAST = ZoneInfo("Africa/Johannesburg")
UTC = ZoneInfo("UTC")


def at(*args):
    return datetime(*args, tzinfo=SAST)


def test_load_shedding_moves_a_one_day_fix_by_its_business_part():
    # A P3 logged 10:00 on Tuesday 1 Dec 2026 with a 1-business-day (8 h 30 min) target;
    # load-shedding 12:00-14:30.
    logged, target = at(2026, 12, 1, 10), timedelta(hours=8, minutes=30)
    plain = business_add(STANDARD, logged, target)
    shed = with_windows(STANDARD, [(at(2026, 12, 1, 12), at(2026, 12, 1, 14, 30))])
    assert plain == at(2026, 12, 2, 10)
    assert business_add(shed, logged, target) == plain + timedelta(hours=2, minutes=30)


def test_an_outage_ending_after_hours_counts_only_its_business_part():
    spec = with_windows(STANDARD, [(at(2026, 12, 1, 15), at(2026, 12, 1, 22))])
    assert business_between(spec, at(2026, 12, 1, 8), at(2026, 12, 2, 8)) == timedelta(hours=7)


def test_overlapping_outages_are_not_counted_twice():
    link = (at(2026, 12, 1, 9), at(2026, 12, 1, 11))
    power = (at(2026, 12, 1, 10), at(2026, 12, 1, 12))
    spec = with_windows(STANDARD, [link, power])
    assert spec.excluded == ((link[0].astimezone(UTC), power[1].astimezone(UTC)),)
    day = business_between(spec, at(2026, 12, 1, 8), at(2026, 12, 1, 16, 30))
    assert day == timedelta(hours=5, minutes=30)


def test_windows_merge_and_drop_empty_ones():
    a, b, c = at(2026, 12, 1, 9), at(2026, 12, 1, 10), at(2026, 12, 1, 11)
    assert merge_windows([(b, c), (a, b), (c, c)]) == ((a.astimezone(UTC), c.astimezone(UTC)),)
    assert with_windows(STANDARD, []) is STANDARD


def test_a_window_inside_lunch_changes_nothing():
    spec = with_windows(LUNCH, [(at(2026, 12, 1, 12, 40), at(2026, 12, 1, 13, 20))])
    day = business_between(spec, at(2026, 12, 1, 8), at(2026, 12, 1, 16, 30))
    assert day == timedelta(hours=7, minutes=30)


instants = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 (hypothesis needs naive bounds; timezones below)
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(SAST),
)
windows = st.lists(
    st.tuples(instants, st.integers(min_value=1, max_value=60 * 24 * 3)).map(
        lambda w: (w[0], w[0] + timedelta(minutes=w[1]))
    ),
    max_size=6,
)
specs = st.sampled_from([STANDARD, SHUTDOWN, ALWAYS, LUNCH])
durations = st.integers(min_value=0, max_value=60 * 24 * 10).map(lambda m: timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(spec=specs, start=instants, duration=durations, found=windows, more=windows)
def test_adding_windows_never_makes_a_due_time_earlier(spec, start, duration, found, more):
    some = with_windows(spec, found)
    assert business_add(some, start, duration) >= business_add(spec, start, duration)
    assert business_add(with_windows(some, more), start, duration) >= business_add(some, start, duration)


@settings(max_examples=200, deadline=None)
@given(spec=specs, start=instants, duration=durations, found=windows)
def test_with_windows_add_and_between_still_agree(spec, start, duration, found):
    spec = with_windows(spec, found)
    due = business_add(spec, start, duration)
    assert business_between(spec, start, due) == duration
    if duration:
        assert is_open(spec, due - timedelta(seconds=1))
        for begin, end in spec.excluded:
            assert not (begin <= due - timedelta(seconds=1) < end)
