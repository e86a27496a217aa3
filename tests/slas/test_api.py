"""/api/slas/ and /api/calendars/: read by any signed-in user, written by nobody (admin only)."""

import importlib
from datetime import date

import pytest
from rest_framework.test import APIClient

from catalogue.models import Service
from slas.models import BusinessCalendar, ServiceLevelAgreement
from tests.factories import (
    BusinessCalendarFactory,
    ServiceLevelAgreementFactory,
    SlaServiceFactory,
    WorkingHoursFactory,
)

pytestmark = pytest.mark.django_db
SHIPPED = importlib.import_module("slas.migrations.0002_default_calendars_and_slas")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def staff_api(api, staff_user):
    api.force_authenticate(staff_user)
    return api


def agreements(api, **params):
    body = api.get("/api/slas/", params).json()
    return {sla["name"]: sla for sla in body["results"]}


def test_agreements_are_the_shipped_defaults_exactly(staff_api):
    slas = agreements(staff_api)

    assert set(slas) == {"Standard", "Critical services"}
    for name, shipped in (("Standard", SHIPPED.STANDARD), ("Critical services", SHIPPED.CRITICAL)):
        minutes = {
            t["priority"]: (t["response_minutes"], t["resolution_minutes"]) for t in slas[name]["targets"]
        }
        assert minutes == shipped
        assert [t["priority"] for t in slas[name]["targets"]] == [1, 2, 3, 4, 5]
    # ...and, said plainly, the numbers docs/sla.md promises.
    standard, critical = slas["Standard"], slas["Critical services"]
    assert standard["targets"][0] == {
        "priority": 1,
        "priority_name": "P1 Critical",
        "response_minutes": 30,
        "resolution_minutes": 240,
        "response": "30 minutes",
        "resolution": "4 business hours",
    }
    assert (critical["targets"][0]["response_minutes"], critical["targets"][0]["resolution_minutes"]) == (
        15,
        120,
    )
    assert [(t["response"], t["resolution"]) for t in standard["targets"]] == [
        ("30 minutes", "4 business hours"),
        ("1 business hour", "1 business day"),
        ("4 business hours", "3 business days"),
        ("1 business day", "5 business days"),
        ("2 business days", "10 business days"),
    ]
    assert [(t["response"], t["resolution"]) for t in critical["targets"]] == [
        ("15 minutes", "2 business hours"),
        ("30 minutes", "4 business hours"),
        ("2 business hours", "1 business day"),
        ("4 business hours", "3 business days"),
        ("1 business day", "5 business days"),
    ]


def test_each_agreement_says_its_calendar_and_what_it_covers(staff_api):
    slas = agreements(staff_api)
    office = BusinessCalendar.objects.get(name="Municipal business hours")

    standard, critical = slas["Standard"], slas["Critical services"]
    assert standard["calendar"] == {"id": office.pk, "name": "Municipal business hours", "always_open": False}
    assert standard["is_default"] is True
    assert standard["covers"] == "every service not covered by another agreement"
    assert standard["services"] == []
    assert standard["review_date"] == "2027-06-30"
    assert standard["business_day_minutes"] == 510
    assert critical["is_default"] is False
    assert critical["covers"] == "the services listed"
    assert critical["services"] == [
        {"id": Service.objects.get(name=name).pk, "name": name} for name in sorted(SHIPPED.CRITICAL_SERVICES)
    ]


def test_filter_by_the_service_gives_the_agreement_that_covers_it(staff_api):
    payroll = Service.objects.get(name="Payroll and HR system")
    printing = Service.objects.get(name="Printing, copying and scanning")

    assert list(agreements(staff_api, service=payroll.pk)) == ["Critical services"]
    assert list(agreements(staff_api, service=printing.pk)) == ["Standard"]
    assert list(agreements(staff_api, is_default="true")) == ["Standard"]
    assert list(agreements(staff_api, search="critical")) == ["Critical services"]
    other = BusinessCalendarFactory(always_open=True)
    ServiceLevelAgreementFactory(name="Always on", calendar=other)
    assert list(agreements(staff_api, calendar=other.pk)) == ["Always on"]


def test_a_24x7_agreement_counts_days_of_24_hours(staff_api):
    ServiceLevelAgreementFactory(
        name="Always on",
        calendar=BusinessCalendar.objects.get(name="24 x 7"),
        targets={1: (15, 120), 2: (60, 1440), 3: (1440, 4320)},
    )

    sla = agreements(staff_api)["Always on"]

    assert sla["business_day_minutes"] == 1440
    assert [(t["response"], t["resolution"]) for t in sla["targets"]] == [
        ("15 minutes", "2 hours"),
        ("1 hour", "1 day"),
        ("1 day", "3 days"),
    ]


def test_calendars_with_hours_per_weekday_and_closed_days(staff_api):
    office = BusinessCalendar.objects.get(name="Municipal business hours")
    office.closed_days.create(
        name="Year-end shutdown", first_day=date(2026, 12, 28), last_day=date(2026, 12, 31)
    )

    body = staff_api.get("/api/calendars/").json()
    calendars = {c["name"]: c for c in body["results"]}

    municipal, always = calendars["Municipal business hours"], calendars["24 x 7"]
    assert municipal["always_open"] is False
    assert municipal["public_holidays"] is True
    assert municipal["description"] == "Monday to Friday 08:00-16:30, except public holidays"
    assert [(d["weekday"], d["name"], d["hours"], d["open_minutes"]) for d in municipal["hours"]] == [
        (0, "Monday", [{"opens": "08:00", "closes": "16:30"}], 510),
        (1, "Tuesday", [{"opens": "08:00", "closes": "16:30"}], 510),
        (2, "Wednesday", [{"opens": "08:00", "closes": "16:30"}], 510),
        (3, "Thursday", [{"opens": "08:00", "closes": "16:30"}], 510),
        (4, "Friday", [{"opens": "08:00", "closes": "16:30"}], 510),
        (5, "Saturday", [], 0),
        (6, "Sunday", [], 0),
    ]
    assert [(c["name"], c["first_day"], c["last_day"]) for c in municipal["closed_days"]] == [
        ("Year-end shutdown", "2026-12-28", "2026-12-31")
    ]
    assert municipal["business_day_minutes"] == 510
    assert [a["name"] for a in municipal["agreements"]] == ["Critical services", "Standard"]
    assert always["always_open"] is True
    assert always["public_holidays"] is False
    assert always["description"] == "every hour of every day"
    assert {d["open_minutes"] for d in always["hours"]} == {1440}
    assert always["agreements"] == []
    assert [
        c["name"] for c in staff_api.get("/api/calendars/", {"always_open": "true"}).json()["results"]
    ] == ["24 x 7"]


def test_a_calendar_with_a_lunch_break_is_described_and_counted(staff_api):
    calendar = BusinessCalendarFactory(name="Cashiers", public_holidays=False)
    for weekday in range(5):
        WorkingHoursFactory(calendar=calendar, weekday=weekday, opens="07:30", closes="12:30")
        WorkingHoursFactory(calendar=calendar, weekday=weekday, opens="13:30", closes="16:00")
    WorkingHoursFactory(calendar=calendar, weekday=5, opens="08:00", closes="12:00")

    body = staff_api.get(f"/api/calendars/{calendar.pk}/").json()

    assert body["description"] == "Monday to Friday 07:30-12:30 and 13:30-16:00; Saturday 08:00-12:00"
    assert body["business_day_minutes"] == 450  # the usual day, not Saturday's morning
    assert body["hours"][0]["open_minutes"] == 450


def test_anonymous_users_are_refused(api):
    assert api.get("/api/slas/").status_code in (401, 403)
    assert api.get("/api/calendars/").status_code in (401, 403)


@pytest.mark.parametrize("role_user", ["staff_user", "technician_user", "manager_user", "admin_role_user"])
def test_every_role_reads_and_nobody_writes(api, request, role_user):
    api.force_authenticate(request.getfixturevalue(role_user))
    standard = ServiceLevelAgreement.objects.get(name="Standard")
    office = BusinessCalendar.objects.get(name="Municipal business hours")

    assert api.get("/api/slas/").status_code == 200
    assert api.get(f"/api/calendars/{office.pk}/").status_code == 200
    assert api.post("/api/slas/", {"name": "Mine"}, format="json").status_code == 405
    assert api.patch(f"/api/slas/{standard.pk}/", {"is_default": False}, format="json").status_code == 405
    assert api.delete(f"/api/slas/{standard.pk}/").status_code == 405
    assert api.put(f"/api/calendars/{office.pk}/", {"name": "x"}, format="json").status_code == 405
    assert ServiceLevelAgreement.objects.filter(name="Standard", is_default=True).exists()


def test_query_counts_do_not_grow_with_agreements(staff_api, django_assert_num_queries):
    staff_api.get("/api/slas/")
    with django_assert_num_queries(5):  # count, agreements with calendars, hours, targets, services
        staff_api.get("/api/slas/")
    with django_assert_num_queries(5):  # count, calendars, hours, closed days, agreements
        staff_api.get("/api/calendars/")
    for _ in range(10):
        calendar = BusinessCalendarFactory()
        WorkingHoursFactory(calendar=calendar)
        calendar.closed_days.create(
            name="Shutdown", first_day=date(2026, 12, 28), last_day=date(2026, 12, 31)
        )
        sla = ServiceLevelAgreementFactory(calendar=calendar)
        SlaServiceFactory.create_batch(2, sla=sla)
    with django_assert_num_queries(5):
        assert len(staff_api.get("/api/slas/").json()["results"]) == 12
    with django_assert_num_queries(5):
        assert len(staff_api.get("/api/calendars/").json()["results"]) == 12


def test_schema_describes_both_endpoints(client, staff_user):
    client.force_login(staff_user)

    schema = client.get("/api/schema/").content.decode()

    assert "/api/slas/" in schema and "/api/calendars/" in schema
    assert "every service not covered by another agreement" in schema
