"""The change pages: list (paginated, a fixed number of queries), a change's page and its steps, raise
and edit, linking an incident, the calendar; who may open each (Staff: only the calendar); CSRF."""

import pytest
from django.test import Client
from django.urls import reverse

from changes.models import Change, ChangeStatus
from tests.factories import ChangeFactory, CriticalPeriodFactory, ServiceFactory, SiteFactory, TicketFactory

from .conftest import at

pytestmark = pytest.mark.django_db
S = ChangeStatus


def test_staff_are_refused_every_change_page_but_the_calendar(signed_in, staff_user):
    change = ChangeFactory()
    client = signed_in(staff_user)
    for url in (
        reverse("changes:change_list"),
        reverse("changes:change_new"),
        reverse("changes:change_detail", args=[change.pk]),
        reverse("changes:change_edit", args=[change.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("changes:change_transition", args=[change.pk]), {"to": "submitted"}).status_code
        == 403
    )
    assert client.get(reverse("changes:calendar")).status_code == 200
    change.refresh_from_db()
    assert change.status == S.DRAFT


def test_an_advisor_reads_but_may_not_raise(signed_in, advisor):
    change = ChangeFactory()
    client = signed_in(advisor)
    assert client.get(reverse("changes:change_detail", args=[change.pk])).status_code == 200
    assert client.get(reverse("changes:change_new")).status_code == 403


def test_a_technician_raises_a_change_and_submits_it(signed_in, technician_user):
    site = SiteFactory(name="Willowvale Satellite Office")
    client = signed_in(technician_user)
    response = client.post(
        reverse("changes:change_new"),
        {
            "type": "normal",
            "summary": "Replace Willowvale's access switch",
            "reason": "It drops links under load: twelve tickets on Wednesday.",
            "sites": [site.pk],
            "likelihood": "medium",
            "impact": "medium",
            "implementation_plan": "Swap it, restore the configuration.",
            "backout_plan": "Put the old one back.",
            "test_plan": "Ping every PC.",
            "planned_start": "2027-03-09T17:00",
            "planned_end": "2027-03-09T19:00",
        },
    )
    change = Change.objects.get(summary="Replace Willowvale's access switch")
    assert response.status_code == 302 and response["Location"] == reverse(
        "changes:change_detail", args=[change.pk]
    )
    assert list(change.sites.all()) == [site] and change.risk == "medium"
    page = client.get(response["Location"])
    assert b"Submit" in page.content
    client.post(reverse("changes:change_transition", args=[change.pk]), {"to": "submitted"})
    change.refresh_from_db()
    assert change.status == S.SUBMITTED


def test_a_form_error_keeps_what_was_typed(signed_in, technician_user):
    client = signed_in(technician_user)
    response = client.post(
        reverse("changes:change_new"),
        {
            "type": "normal",
            "summary": "Move the file server",
            "reason": "",
            "likelihood": "low",
            "impact": "low",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Move the file server" in body and "This field is required" in body


def test_a_refused_step_says_why_and_keeps_the_note(signed_in, technician_user):
    change = ChangeFactory(requested_by=technician_user, backout_plan="")
    client = signed_in(technician_user)
    response = client.post(
        reverse("changes:change_transition", args=[change.pk]), {"to": "submitted", "note": "Ready for CAB"}
    )
    assert response.status_code == 400
    assert "Needed before the change is submitted" in response.content.decode()


def test_the_manager_sees_the_conflict_and_approves_with_a_justification(signed_in, manager_user):
    service = ServiceFactory(name="Financial system (Munsoft)")
    CriticalPeriodFactory(service=service, rule="days_of_month", working_days=None, from_day=25, to_day=31)
    change = ChangeFactory(
        status=S.ASSESSED, planned_start=at(26, 17), planned_end=at(26, 19), services=[service]
    )
    client = signed_in(manager_user)
    page = client.get(reverse("changes:change_detail", args=[change.pk])).content.decode()
    assert "critical period" in page and "Why it may go ahead despite the conflicts" in page
    url = reverse("changes:change_transition", args=[change.pk])
    refused = client.post(url, {"to": "approved"})
    assert refused.status_code == 400
    client.post(url, {"to": "approved", "justification": "The vendor's only window this quarter."})
    change.refresh_from_db()
    assert change.status == S.APPROVED
    assert change.approvals.get().justification == "The vendor's only window this quarter."


def test_an_incident_is_linked_from_the_change_page(signed_in, technician_user):
    change = ChangeFactory(status=S.IMPLEMENTED, outcome="failed", review="Faulty uplink.")
    ticket = TicketFactory()
    client = signed_in(technician_user)
    response = client.post(reverse("changes:change_link", args=[change.pk]), {"ticket": ticket.reference})
    assert response.status_code == 302
    assert ticket.reference in client.get(response["Location"]).content.decode()
    assert (
        client.post(reverse("changes:change_link", args=[change.pk]), {"ticket": "INC-999999"}).status_code
        == 400
    )


def test_posts_need_the_csrf_token(technician_user):
    change = ChangeFactory(requested_by=technician_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(technician_user)
    assert (
        client.post(reverse("changes:change_transition", args=[change.pk]), {"to": "submitted"}).status_code
        == 403
    )
    assert client.post(reverse("changes:change_new"), {"summary": "x"}).status_code == 403
    change.refresh_from_db()
    assert change.status == S.DRAFT


def _list_queries(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("changes:change_list")).status_code == 200
    return len(captured)


def test_the_list_and_the_change_page_take_a_fixed_number_of_queries(
    signed_in, technician_user, django_assert_max_num_queries
):
    sites = [SiteFactory() for _ in range(3)]
    ChangeFactory(sites=sites[:1], services=[ServiceFactory()])
    client = signed_in(technician_user)
    few = _list_queries(client, django_assert_max_num_queries)
    for n in range(30):
        ChangeFactory(
            sites=sites,
            services=[ServiceFactory()],
            planned_start=at(1 + n % 20, 9),
            planned_end=at(1 + n % 20, 11),
        )
    assert _list_queries(client, django_assert_max_num_queries) == few
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = ChangeFactory(sites=sites[:1], planned_start=at(3, 9), planned_end=at(3, 10))
    big = ChangeFactory(
        sites=sites,
        services=[ServiceFactory() for _ in range(5)],
        planned_start=at(3, 9),
        planned_end=at(3, 10),
    )
    counts = []
    for change in (small, big):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("changes:change_detail", args=[change.pk])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    client.get(reverse("changes:calendar"), {"date": "2027-03-01"})  # the desk's calendar, cached a minute
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("changes:calendar"), {"date": "2027-03-01"})
    month = len(captured)
    ChangeFactory(status=S.SCHEDULED, sites=sites, planned_start=at(4, 9), planned_end=at(4, 10))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("changes:calendar"), {"date": "2027-03-01"})
    assert len(captured) == month, [q["sql"][:150] for q in captured.captured_queries]


def test_staff_see_on_the_calendar_only_approved_changes_at_their_site(signed_in, staff_user):
    home, elsewhere = SiteFactory(name="Dutywa Library"), SiteFactory(name="Elliotdale Office")
    staff_user.site = home
    staff_user.save(update_fields=["site"])
    ChangeFactory(
        summary="Approved here",
        status=S.SCHEDULED,
        sites=[home],
        planned_start=at(9, 17),
        planned_end=at(9, 19),
    )
    ChangeFactory(
        summary="Still a draft here",
        status=S.SUBMITTED,
        sites=[home],
        planned_start=at(9, 17),
        planned_end=at(9, 19),
    )
    ChangeFactory(
        summary="Approved elsewhere",
        status=S.SCHEDULED,
        sites=[elsewhere],
        planned_start=at(9, 17),
        planned_end=at(9, 19),
    )
    page = signed_in(staff_user).get(reverse("changes:calendar"), {"date": "2027-03-09", "view": "week"})
    body = page.content.decode()
    assert "Approved here" in body
    assert "Still a draft here" not in body and "Approved elsewhere" not in body
    assert 'href="/changes/1' not in body and 'href="/changes/"' not in body  # no link they may not follow


def test_the_calendar_shows_critical_periods_and_changes_by_month_and_week(signed_in, manager_user):
    service = ServiceFactory(name="Financial system (Munsoft)")
    CriticalPeriodFactory(
        service=service, name="month end", rule="days_of_month", working_days=None, from_day=25, to_day=31
    )
    ChangeFactory(
        summary="Upgrade the firewall", status=S.SCHEDULED, planned_start=at(9, 17), planned_end=at(9, 19)
    )
    client = signed_in(manager_user)
    month = client.get(reverse("changes:calendar"), {"date": "2027-03-15"})
    body = month.content.decode()
    assert (
        "March 2027" in body
        and "Upgrade the firewall" in body
        and "Financial system (Munsoft): month end" in body
    )
    week = client.get(reverse("changes:calendar"), {"date": "2027-03-10", "view": "week"}).content.decode()
    assert "Week of 8 March 2027" in week and "Upgrade the firewall" in week and "month end" not in week


def test_another_kind_registered_with_the_calendar_shows_on_it(signed_in, manager_user):
    """The hook issue 20's outages use: a source registered by kind, read by page and API alike (a kind of
    its own, so that outages' real "outage" and "load-shedding" sources stay registered)."""
    from changes import selectors

    def outages(first, last, user):
        return [selectors.CalendarEntry("example", "Example entry of its own", at(9, 18), at(9, 20))]

    selectors.register_calendar_source("example", outages)
    try:
        body = signed_in(manager_user).get(
            reverse("changes:calendar"), {"date": "2027-03-09", "view": "week"}
        )
        assert "Example entry of its own" in body.content.decode()
        entries = selectors.calendar_entries(manager_user, at(9, 0).date(), at(9, 0).date())
        assert [e.kind for e in entries] == ["example"]
    finally:
        selectors.register_calendar_source("example", None)
    assert (
        "Example entry of its own"
        not in signed_in(manager_user)
        .get(reverse("changes:calendar"), {"date": "2027-03-09"})
        .content.decode()
    )
