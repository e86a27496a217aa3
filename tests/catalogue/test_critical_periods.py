"""Critical periods: working days are the service desk's calendar's (slas registers the rule): they skip
weekends, South African public holidays and the calendar's closed days."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from catalogue.critical_periods import in_period, is_working_day, period_errors, working_days_of_month
from catalogue.models import CriticalPeriod
from slas.calendars import forget_calendars
from slas.models import ClosedDay, ServiceLevelAgreement

pytestmark = pytest.mark.django_db
Rule = CriticalPeriod.Rule


def period(**kwargs):
    return CriticalPeriod(name="p", **kwargs)


def test_working_days_skip_weekends_and_public_holidays():
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 6))  # Family Day
    assert not is_working_day(date(2026, 8, 10))  # Women's Day on a Sunday, observed on Monday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert is_working_day(date(2026, 11, 27))  # Friday


def test_last_three_working_days_of_november_2026():
    # 28-29 November 2026 are a weekend; Monday the 30th is the month's last working day.
    assert working_days_of_month(2026, 11)[-3:] == [
        date(2026, 11, 26),
        date(2026, 11, 27),
        date(2026, 11, 30),
    ]
    payroll = period(rule=Rule.LAST_WORKING_DAYS, working_days=3)
    assert in_period(payroll, date(2026, 11, 26))
    assert in_period(payroll, date(2026, 11, 30))
    assert not in_period(payroll, date(2026, 11, 25))
    assert not in_period(payroll, date(2026, 11, 28))  # Saturday inside the span: not a working day


def test_december_last_working_days_skip_christmas_and_goodwill():
    # December 2026: 25 (Fri) and 26 (Sat) are holidays; 28-31 Mon-Thu are working days.
    payroll = period(rule=Rule.LAST_WORKING_DAYS, working_days=3)
    assert [d.day for d in working_days_of_month(2026, 12)[-3:]] == [29, 30, 31]
    assert in_period(payroll, date(2026, 12, 29))
    assert not in_period(payroll, date(2026, 12, 28))


def test_a_shutdown_on_the_desk_calendar_moves_the_last_working_days(request):
    request.addfinalizer(forget_calendars)  # the shutdown is rolled back: so must the cached calendar be
    desk = ServiceLevelAgreement.objects.get(is_default=True).calendar
    ClosedDay.objects.create(
        calendar=desk, name="Year-end shutdown", first_day=date(2026, 12, 24), last_day=date(2027, 1, 1)
    )
    payroll = period(rule=Rule.LAST_WORKING_DAYS, working_days=3)

    assert not is_working_day(date(2026, 12, 29))
    assert [d.day for d in working_days_of_month(2026, 12)[-3:]] == [21, 22, 23]
    assert in_period(payroll, date(2026, 12, 21))
    assert not in_period(payroll, date(2026, 12, 30))


def test_first_working_days_of_april_2026_skip_easter():
    billing = period(rule=Rule.FIRST_WORKING_DAYS, working_days=3)
    # 1 Apr Wed, 2 Thu, 3 Good Friday, 6 Family Day, 7 Tue.
    assert [d.day for d in working_days_of_month(2026, 4)[:3]] == [1, 2, 7]
    assert in_period(billing, date(2026, 4, 7))
    assert not in_period(billing, date(2026, 4, 8))


def test_days_of_month_clip_to_short_months():
    month_end = period(rule=Rule.DAYS_OF_MONTH, from_day=28, to_day=31)
    assert in_period(month_end, date(2027, 2, 28))
    assert not in_period(month_end, date(2027, 2, 27))


def test_dates_of_year_may_wrap_over_new_year():
    shutdown = period(rule=Rule.DATES_OF_YEAR, from_month=12, from_day=15, to_month=1, to_day=15)
    assert in_period(shutdown, date(2026, 12, 20))
    assert in_period(shutdown, date(2027, 1, 10))
    assert not in_period(shutdown, date(2027, 2, 1))


def test_the_local_date_decides_not_utc():
    payroll = period(rule=Rule.LAST_WORKING_DAYS, working_days=1)  # 30 Nov 2026
    # 23:30 UTC on 29 Nov is 01:30 on 30 Nov in Johannesburg.
    assert in_period(payroll, datetime(2026, 11, 29, 23, 30, tzinfo=ZoneInfo("UTC")))


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"rule": Rule.LAST_WORKING_DAYS}, "working_days"),
        ({"rule": Rule.LAST_WORKING_DAYS, "working_days": 3, "from_day": 1}, "from_day"),
        (
            {"rule": Rule.DATES_OF_YEAR, "from_day": 30, "to_day": 1, "from_month": 2, "to_month": 3},
            "from_day",
        ),
    ],
)
def test_period_errors_name_the_field(fields, bad):
    assert bad in period_errors(period(**fields))
