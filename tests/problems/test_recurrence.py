"""The recurrence rule (problems/recurrence.py) on hand-built months: no database."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from problems.recurrence import IncidentPoint, recurrences_find, working_day_numbers

SAST = ZoneInfo("Africa/Johannesburg")
HOLIDAY = date(2026, 12, 16)  # Day of Reconciliation, a Wednesday


def weekday_not_holiday(day: date) -> bool:
    return day.weekday() < 5 and day != HOLIDAY


def point(ticket_id, day, *, service=1, site=10, asset=None, hour=9):
    at = datetime(day.year, day.month, day.day, hour, tzinfo=SAST)
    return IncidentPoint(ticket_id, service, site, asset, at, day)


def find(points, minimum=3, window=5):
    return recurrences_find(points, minimum=minimum, window_days=window, is_working_day=weekday_not_holiday)


def test_working_day_numbers_skip_weekends_and_holidays():
    numbers = working_day_numbers(date(2026, 12, 11), date(2026, 12, 17), weekday_not_holiday)
    # Fri 11 -> 0, Sat and Sun take Monday's number, Tue 15 -> 2, the holiday takes Thursday's.
    assert [numbers[date(2026, 12, d)] for d in range(11, 18)] == [0, 1, 1, 1, 2, 3, 3]


def test_three_incidents_within_five_working_days_are_one_recurrence():
    points = [point(1, date(2026, 12, 1)), point(2, date(2026, 12, 3)), point(3, date(2026, 12, 7))]
    [found] = find(points)
    assert found.ticket_ids == (1, 2, 3)
    assert (found.service_id, found.site_id, found.asset_id) == (1, 10, None)
    assert found.intervals == (2, 2)  # Tue -> Thu, Thu -> Mon (the weekend does not count)


def test_spread_over_more_than_the_window_is_not_a_recurrence():
    # Tue 1, Mon 7, Mon 14: any three span 9 working days.
    points = [point(1, date(2026, 12, 1)), point(2, date(2026, 12, 7)), point(3, date(2026, 12, 14))]
    assert find(points) == []


def test_the_holiday_and_weekend_do_not_stretch_the_window():
    # Fri 11, Tue 15, Thu 17: seven calendar days, but four working days (Fri, Mon, Tue, Thu: the 16th is
    # a holiday), so within a window of 4 and not of 3.
    points = [point(1, date(2026, 12, 11)), point(2, date(2026, 12, 15)), point(3, date(2026, 12, 17))]
    [found] = find(points, window=4)
    assert found.intervals == (2, 1)
    assert find(points, window=3) == []


def test_different_services_or_sites_do_not_add_up():
    points = [
        point(1, date(2026, 12, 1)),
        point(2, date(2026, 12, 2), service=2),
        point(3, date(2026, 12, 3), site=11),
        point(4, date(2026, 12, 3)),
    ]
    assert find(points) == []


def test_a_fault_that_keeps_coming_back_is_one_proposal_and_separate_bursts_are_two():
    burst = [point(i, date(2026, 11, 2) + timedelta(days=i % 5)) for i in range(1, 7)]  # six in one week
    later = [point(10 + i, date(2026, 12, 7) + timedelta(days=i)) for i in range(3)]  # three a month later
    found = find(burst + later)
    assert [set(r.ticket_ids) for r in found] == [{1, 2, 3, 4, 5, 6}, {10, 11, 12}]
    assert len(found[0].intervals) == 5


def test_an_asset_that_recurs_is_proposed_by_asset_and_its_tickets_leave_the_site_group():
    day = date(2026, 12, 1)
    points = [point(i, day, asset=99, hour=8 + i) for i in range(1, 4)] + [
        point(4, day, hour=14),
        point(5, day, hour=15),
    ]
    found = find(points)
    assert [(r.asset_id, r.ticket_ids) for r in found] == [
        (99, (1, 2, 3))
    ]  # 4 and 5 are only two at the site


def test_minimum_and_window_are_parameters():
    points = [point(1, date(2026, 12, 1)), point(2, date(2026, 12, 1), hour=11)]
    assert find(points, minimum=3) == []
    assert [r.ticket_ids for r in find(points, minimum=2, window=1)] == [(1, 2)]
