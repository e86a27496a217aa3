"""Django admin for calendars and agreements (the Admin role), and the clocks and their events, read-only."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Service
from slas.models import (
    BusinessCalendar,
    OperationalAgreement,
    ServiceLevelAgreement,
    SlaClock,
    SlaEvent,
    SlaService,
    SlaTarget,
    WorkingHours,
)
from tests.factories import ServiceLevelAgreementFactory, TicketFactory

pytestmark = pytest.mark.django_db


def standard():
    return ServiceLevelAgreement.objects.get(name="Standard")


def office():
    return BusinessCalendar.objects.get(name="Municipal business hours")


def admin_pages():
    return [
        reverse("admin:slas_businesscalendar_changelist"),
        reverse("admin:slas_businesscalendar_add"),
        reverse("admin:slas_businesscalendar_change", args=[office().pk]),
        reverse("admin:slas_businesscalendar_history", args=[office().pk]),
        reverse("admin:slas_servicelevelagreement_changelist"),
        reverse("admin:slas_servicelevelagreement_add"),
        reverse("admin:slas_servicelevelagreement_change", args=[standard().pk]),
        reverse("admin:slas_servicelevelagreement_history", args=[standard().pk]),
        reverse("admin:slas_slaclock_changelist"),
        reverse("admin:slas_slaevent_changelist"),
        reverse("admin:slas_supplier_changelist"),
        reverse("admin:slas_operationalagreement_changelist"),
        reverse("admin:slas_operationalagreement_add"),
        reverse(
            "admin:slas_operationalagreement_change",
            args=[OperationalAgreement.objects.get(name="Networks OLA").pk],
        ),
        reverse("admin:slas_operationalclock_changelist"),
    ]


def test_admin_pages_open_for_the_admin_role(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    for page in admin_pages():
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("role_user", ["staff_user", "technician_user", "manager_user"])
def test_admin_pages_are_refused_to_other_roles(signed_in, request, role_user):
    client = signed_in(request.getfixturevalue(role_user))
    for page in admin_pages():
        response = client.get(page)
        assert response.status_code == 302, page
        assert "/admin/login/" in response.url


def test_lists_show_what_an_admin_needs(signed_in, admin_role_user):
    client = signed_in(admin_role_user)

    calendars = client.get(reverse("admin:slas_businesscalendar_changelist")).content.decode()
    agreements = client.get(reverse("admin:slas_servicelevelagreement_changelist")).content.decode()

    assert "Municipal business hours" in calendars and "24 x 7" in calendars
    assert "closed on South African public holidays" in calendars
    assert "Critical services" in agreements and "Standard" in agreements
    assert "every other service" in agreements  # the default's coverage
    assert "June 30, 2027" in agreements or "30 June 2027" in agreements


def test_agreement_list_filters_and_search(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    url = reverse("admin:slas_servicelevelagreement_changelist")

    defaults = client.get(url, {"is_default__exact": "1"}).context["cl"].result_list
    found = client.get(url, {"q": "payroll"}).context["cl"].result_list
    by_calendar = client.get(url, {"calendar__id__exact": office().pk}).context["cl"].result_list

    assert [sla.name for sla in defaults] == ["Standard"]
    assert [sla.name for sla in found] == ["Critical services"]
    assert {sla.name for sla in by_calendar} == {"Standard", "Critical services"}
    assert next(sla for sla in found)._services == 3


def form_data(response) -> dict:
    """The change form as the browser would post it back unchanged (main form and every inline)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def target_prefix(response, priority) -> str:
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "targets"
    )
    form = next(form for form in formset.forms if form.instance.priority == priority)
    return form.prefix


def test_target_words_are_shown_beside_the_minutes(signed_in, admin_role_user):
    html = (
        signed_in(admin_role_user)
        .get(reverse("admin:slas_servicelevelagreement_change", args=[standard().pk]))
        .content.decode()
    )

    assert "4 business hours" in html  # P1 resolution, 240 minutes
    assert "10 business days" in html  # P5 resolution, 5100 minutes


def test_an_unchanged_agreement_saves(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    url = reverse("admin:slas_servicelevelagreement_change", args=[standard().pk])
    page = client.get(url)

    response = client.post(url, form_data(page))

    assert response.status_code == 302, response.context and response.context["errors"]


def test_a_fix_due_before_the_response_is_a_field_error_not_a_500(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    url = reverse("admin:slas_servicelevelagreement_change", args=[standard().pk])
    page = client.get(url)
    data = form_data(page)
    prefix = target_prefix(page, 2)
    data[f"{prefix}-response_minutes"] = 600
    data[f"{prefix}-resolution_minutes"] = 120

    response = client.post(url, data)

    assert response.status_code == 200
    formset = next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "targets"
    )
    form = next(form for form in formset.forms if form.prefix == prefix)
    assert form.errors["resolution_minutes"] == [
        "The fix cannot be due before the first response: give at least 600 minutes."
    ]
    assert "Constraint" not in response.content.decode()
    assert SlaTarget.objects.get(sla=standard(), priority=2).resolution_minutes == 510  # nothing saved


def test_every_priority_needs_a_target(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    url = reverse("admin:slas_servicelevelagreement_change", args=[standard().pk])
    page = client.get(url)
    data = form_data(page)
    data[f"{target_prefix(page, 5)}-DELETE"] = "on"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "missing: P5" in response.content.decode()
    assert SlaTarget.objects.filter(sla=standard()).count() == 5


def test_a_new_agreement_gets_a_row_per_priority_and_is_saved_with_its_services(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    url = reverse("admin:slas_servicelevelagreement_add")
    page = client.get(url)
    data = form_data(page)
    data.update(
        {
            "name": "Council meetings",
            "description": "Audio and video in the council chamber.",
            "calendar": BusinessCalendar.objects.get(name="24 x 7").pk,
            "review_date": "2027-12-31",
            "service_links-TOTAL_FORMS": 1,
            "service_links-0-service": Service.objects.get(name="Video conferencing for council meetings").pk,
        }
    )
    for n, (response_minutes, resolution_minutes) in enumerate(
        [(15, 60), (30, 240), (60, 1440), (240, 2880), (1440, 4320)]
    ):
        data[f"targets-{n}-priority"] = n + 1
        data[f"targets-{n}-response_minutes"] = response_minutes
        data[f"targets-{n}-resolution_minutes"] = resolution_minutes

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    sla = ServiceLevelAgreement.objects.get(name="Council meetings")
    assert list(sla.targets.order_by("priority").values_list("response_minutes", flat=True)) == [
        15,
        30,
        60,
        240,
        1440,
    ]
    assert [link.service.name for link in sla.service_links.all()] == [
        "Video conferencing for council meetings"
    ]
    html = client.get(reverse("admin:slas_servicelevelagreement_change", args=[sla.pk])).content.decode()
    assert "1 day" in html and "3 days" in html  # a 24x7 day is 24 hours, and not "business"


def test_a_service_already_covered_elsewhere_is_refused_by_name(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    url = reverse("admin:slas_servicelevelagreement_change", args=[standard().pk])
    page = client.get(url)
    data = form_data(page)
    data["service_links-TOTAL_FORMS"] = 1
    data["service_links-0-service"] = Service.objects.get(name="Payroll and HR system").pk

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Payroll and HR system is covered by “Critical services” already" in response.content.decode()
    assert SlaService.objects.get(service__name="Payroll and HR system").sla.name == "Critical services"


def test_a_second_default_is_a_field_error_and_the_action_moves_the_default(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    critical = ServiceLevelAgreement.objects.get(name="Critical services")
    url = reverse("admin:slas_servicelevelagreement_change", args=[critical.pk])
    page = client.get(url)
    data = form_data(page)
    data["is_default"] = "on"

    response = client.post(url, data)

    assert response.status_code == 200
    assert (
        response.context["adminform"]
        .form.errors["is_default"][0]
        .startswith("“Standard” is the default agreement")
    )

    moved = client.post(
        reverse("admin:slas_servicelevelagreement_changelist"),
        {"action": "make_default", "_selected_action": [critical.pk]},
    )

    assert moved.status_code == 302
    assert list(ServiceLevelAgreement.objects.filter(is_default=True).values_list("name", flat=True)) == [
        "Critical services"
    ]


def test_overlapping_hours_added_in_one_save_are_refused(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    calendar = BusinessCalendar.objects.create(name="Lunch closed")
    url = reverse("admin:slas_businesscalendar_change", args=[calendar.pk])
    data = form_data(client.get(url))
    data.update(
        {
            "hours-TOTAL_FORMS": 2,
            "hours-0-weekday": 0,
            "hours-0-opens": "08:00",
            "hours-0-closes": "13:00",
            "hours-1-weekday": 0,
            "hours-1-opens": "12:30",
            "hours-1-closes": "16:30",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "These hours overlap other hours on the same day." in response.content.decode()
    assert not WorkingHours.objects.filter(calendar=calendar).exists()

    data["hours-1-opens"] = "13:30"
    assert client.post(url, data).status_code == 302
    assert [(h.opens, h.closes) for h in WorkingHours.objects.filter(calendar=calendar)] == [
        (time(8), time(13)),
        (time(13, 30), time(16, 30)),
    ]


def test_a_closed_period_ending_before_it_starts_is_a_field_error(signed_in, admin_role_user):
    client = signed_in(admin_role_user)
    url = reverse("admin:slas_businesscalendar_change", args=[office().pk])
    data = form_data(client.get(url))
    data.update(
        {
            "closed_days-TOTAL_FORMS": 1,
            "closed_days-0-name": "Year-end shutdown",
            "closed_days-0-first_day": "2026-12-31",
            "closed_days-0-last_day": "2026-12-24",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "The last day cannot be before the first." in response.content.decode()


# --- clocks and events: read-only --------------------------------------------------------------------------


@pytest.fixture
def ticket(staff_user):
    return TicketFactory(requester=staff_user, service=Service.objects.get(name="Payroll and HR system"))


def test_clocks_and_events_are_read_only_even_for_the_admin_role(signed_in, admin_role_user, ticket):
    client = signed_in(admin_role_user)
    clock = SlaClock.objects.filter(ticket_id=ticket.pk).first()
    event = SlaEvent.objects.create(
        ticket_id=clock.ticket_id,
        clock=clock.kind,
        kind="warning",
        due_at=clock.due_at,
        recorded_at=clock.due_at,
    )

    assert client.get(reverse("admin:slas_slaclock_add")).status_code == 403
    assert client.get(reverse("admin:slas_slaevent_add")).status_code == 403
    page = client.get(reverse("admin:slas_slaclock_change", args=[clock.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        client.post(reverse("admin:slas_slaclock_delete", args=[clock.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:slas_slaevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert SlaClock.objects.filter(pk=clock.pk).exists() and SlaEvent.objects.filter(pk=event.pk).exists()


def test_clock_list_filters_by_kind_and_state_and_finds_a_ticket_by_reference(
    signed_in, admin_role_user, ticket
):
    client = signed_in(admin_role_user)
    url = reverse("admin:slas_slaclock_changelist")
    pk = ticket.pk

    response = client.get(url, {"kind__exact": "response", "state__exact": "running"})
    by_reference = client.get(url, {"q": f"INC-{pk:06d}"})

    assert {(c.ticket_id, c.kind) for c in response.context["cl"].result_list} == {(pk, "response")}
    assert {c.kind for c in by_reference.context["cl"].result_list} == {"response", "resolution"}


def test_clock_and_event_lists_have_a_fixed_query_count(signed_in, admin_role_user, staff_user):
    client = signed_in(admin_role_user)
    pages = [reverse("admin:slas_slaclock_changelist"), reverse("admin:slas_slaevent_changelist")]

    def with_tickets(count):
        for ticket in TicketFactory.create_batch(count, requester=staff_user):
            clock = SlaClock.objects.filter(ticket_id=ticket.pk).first()
            SlaEvent.objects.create(
                ticket_id=ticket.pk,
                clock=clock.kind,
                kind="warning",
                due_at=clock.due_at,
                recorded_at=clock.due_at,
            )
        counts = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            counts.append(len(queries))
        return counts

    few = with_tickets(2)
    many = with_tickets(20)

    assert many == few
    # 13: the admin's menu asks each single-row settings admin whether one may be added (reports' and,
    # since issue 17, problems' recurrence settings): one query each, whatever the rows.
    assert max(few) <= 13


def test_an_agreement_on_the_24x7_calendar_has_days_of_24_hours(signed_in, admin_role_user):
    sla = ServiceLevelAgreementFactory(
        calendar=BusinessCalendar.objects.get(name="24 x 7"), targets={1: (60, 1440), 2: (120, 2880)}
    )

    html = (
        signed_in(admin_role_user)
        .get(reverse("admin:slas_servicelevelagreement_change", args=[sla.pk]))
        .content.decode()
    )

    assert "1 hour" in html and "1 day" in html and "2 days" in html
