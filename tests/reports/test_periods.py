"""Reporting periods in South African time."""

from datetime import date, datetime

import pytest

from reports.periods import (
    TZ,
    comparable_previous,
    month_period,
    parse_month,
    previous_month,
    recent_months,
    trend_periods,
)


def at(*args):
    return datetime(*args, tzinfo=TZ)


def test_a_month_runs_from_local_midnight_to_local_midnight():
    october = month_period(date(2026, 10, 1), now=at(2026, 11, 3, 9, 0))
    assert (october.start, october.end, october.so_far) == (at(2026, 10, 1), at(2026, 11, 1), False)
    assert october.start.utcoffset().total_seconds() == 2 * 3600  # 22:00 UTC the day before


def test_the_current_month_ends_now_and_is_compared_with_the_same_stretch_of_the_last():
    now = at(2026, 3, 31, 10, 0)
    march = month_period(date(2026, 3, 1), now=now)
    assert (march.end, march.so_far, march.long_label) == (now, True, "March 2026, 1 to 31 March 10:00")
    february = comparable_previous(march)
    assert (february.start, february.end) == (at(2026, 2, 1), at(2026, 3, 1))  # capped at its own end
    early = comparable_previous(month_period(date(2026, 3, 1), now=at(2026, 3, 5, 12, 0)))
    assert early.end == at(2026, 2, 5, 12, 0)


def test_a_month_not_begun_and_bad_text_are_refused():
    with pytest.raises(ValueError, match="has not begun"):
        month_period(date(2026, 12, 1), now=at(2026, 11, 30, 23, 59))
    for text in ("2026-13", "October", "2026-1", "", "1999-12"):
        with pytest.raises(ValueError):
            parse_month(text)
    assert parse_month(" 2026-10 ") == date(2026, 10, 1)


def test_six_month_trend_crosses_the_year():
    periods = trend_periods(month_period(date(2027, 2, 1), now=at(2027, 2, 10)))
    assert [p.key for p in periods] == ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"]
    assert periods[-1].so_far and not periods[-2].so_far


def test_month_lists():
    now = at(2026, 1, 15)
    assert previous_month(now) == date(2025, 12, 1)
    assert recent_months(now, count=3) == [date(2026, 1, 1), date(2025, 12, 1), date(2025, 11, 1)]
