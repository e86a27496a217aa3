"""Which agreement covers a service, and its targets in words, in the calendar's own days."""

import pytest

from catalogue.models import Service
from slas.agreements import (
    business_day_minutes,
    calendar_in_words,
    minutes_in_words,
    spec_day_minutes,
    target_in_words,
    targets_by_service,
)
from slas.calendars import build_spec
from slas.models import BusinessCalendar, ServiceLevelAgreement
from tests.factories import BusinessCalendarFactory, ServiceFactory, WorkingHoursFactory


@pytest.mark.parametrize(
    ("minutes", "day", "words"),
    [
        (1, 510, "1 minute"),
        (30, 510, "30 minutes"),
        (60, 510, "1 business hour"),
        (90, 510, "1 business hour and 30 minutes"),
        (240, 510, "4 business hours"),
        (510, 510, "1 business day"),
        (5100, 510, "10 business days"),
        (1440, 510, "24 business hours"),
        (1440, 1440, "1 business day"),
        (61, None, "1 business hour and 1 minute"),
    ],
)
def test_minutes_in_words(minutes, day, words):
    assert minutes_in_words(minutes, day) == words


def test_minutes_in_words_without_business_for_a_24x7_calendar():
    assert minutes_in_words(2880, 1440, business=False) == "2 days"
    assert minutes_in_words(120, 1440, business=False) == "2 hours"


@pytest.mark.django_db
def test_the_day_length_and_words_follow_the_calendar():
    office = BusinessCalendar.objects.get(name="Municipal business hours")
    always = BusinessCalendar.objects.get(name="24 x 7")
    empty = BusinessCalendarFactory()

    assert business_day_minutes(office) == 510
    assert business_day_minutes(always) == 1440
    assert business_day_minutes(empty) == 510  # nothing to go by: the municipal day
    assert target_in_words(1020, office) == "2 business days"
    assert target_in_words(1440, always) == "1 day"
    assert calendar_in_words(office) == "Monday to Friday 08:00-16:30, except public holidays"
    assert calendar_in_words(always) == "every hour of every day"
    assert calendar_in_words(empty) == "no opening hours set"


@pytest.mark.django_db
def test_the_day_length_is_the_same_read_from_the_calendar_or_from_its_spec():
    weekend = BusinessCalendarFactory(public_holidays=False)
    WorkingHoursFactory(calendar=weekend, weekday=5, opens="08:00", closes="13:00")
    WorkingHoursFactory(calendar=weekend, weekday=6, opens="08:00", closes="13:00")
    WorkingHoursFactory(calendar=weekend, weekday=0, opens="08:00", closes="16:30")
    calendars = [
        BusinessCalendar.objects.get(name="Municipal business hours"),
        BusinessCalendar.objects.get(name="24 x 7"),
        BusinessCalendarFactory(),
        weekend,
    ]

    assert [spec_day_minutes(build_spec(c)) for c in calendars] == [
        business_day_minutes(c) for c in calendars
    ]
    assert [business_day_minutes(c) for c in calendars] == [510, 1440, 510, 300]


@pytest.mark.django_db
def test_weekend_hours_are_described_by_day():
    calendar = BusinessCalendarFactory(public_holidays=False)
    WorkingHoursFactory(calendar=calendar, weekday=5, opens="08:00", closes="13:00")
    WorkingHoursFactory(calendar=calendar, weekday=6, opens="08:00", closes="13:00")
    WorkingHoursFactory(calendar=calendar, weekday=0, opens="08:00", closes="16:30")

    assert calendar_in_words(calendar) == "Monday 08:00-16:30; Saturday and Sunday 08:00-13:00"
    assert business_day_minutes(calendar) == 300  # the most common day wins


@pytest.mark.django_db
def test_targets_by_service_in_a_fixed_number_of_queries_from_any_iterable(django_assert_num_queries):
    payroll = Service.objects.get(name="Payroll and HR system")
    services = [payroll, *ServiceFactory.create_batch(10)]

    with django_assert_num_queries(4):  # links, agreements with calendars, hours, targets
        found = targets_by_service(service.pk for service in services)  # a generator is read once only

    assert found[payroll.pk][0].name == "Critical services"
    assert {found[s.pk][0].name for s in services[1:]} == {"Standard"}
    assert [t.priority for t in found[payroll.pk][1]] == [1, 2, 3, 4, 5]
    with django_assert_num_queries(0):
        assert targets_by_service([]) == {}
        business_day_minutes(found[payroll.pk][0].calendar)  # hours came with it


@pytest.mark.django_db
def test_without_a_default_only_named_services_have_targets():
    ServiceLevelAgreement.objects.update(is_default=False)
    payroll = Service.objects.get(name="Payroll and HR system")
    other = ServiceFactory()

    found = targets_by_service([payroll.pk, other.pk])

    assert list(found) == [payroll.pk]
