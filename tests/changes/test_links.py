"""The links between changes and the apps below them (issues 17 and 18): a problem "fixed by change
CHG-..." and an incident "caused by change CHG-...". Each is written through one service, with history on
both sides, shown on both pages and in both JSONs; staff never see either."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from changes import services
from changes.models import ChangeEvent, ChangeStatus, Outcome, ProblemFix
from incidents.models import TicketEvent
from problems.models import ProblemEvent, ProblemStatus
from problems.services import ProblemConflict, problem_change_status, problem_update
from tests.factories import ChangeFactory, ProblemFactory, ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db
XSS = '<script>alert("chg")</script>'


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def problem(technician_user):
    return ProblemFactory(by=technician_user)


@pytest.fixture
def incident(staff_user):
    return TicketFactory(requester=staff_user)


def carried_out(**kwargs):
    return ChangeFactory(status=ChangeStatus.IMPLEMENTED, outcome=Outcome.SUCCESSFUL, **kwargs)


# --- fixed by change: the service ----------------------------------------------------------------------


def test_a_problem_names_its_fixing_change_with_history_on_both_sides(problem, technician_user):
    first, second = ChangeFactory(status=ChangeStatus.SCHEDULED), ChangeFactory(status=ChangeStatus.APPROVED)
    problem = problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": first.pk})
    assert ProblemFix.objects.get(problem=problem).change == first
    assert list(first.fixes_problems.all()) == [problem]
    problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": second.pk})
    assert ProblemFix.objects.get(problem=problem).change == second
    problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": None})
    assert not ProblemFix.objects.filter(problem=problem).exists()
    rows = problem.events.filter(field="fixed_by_change").values_list("old_value", "new_value")
    assert list(rows) == [("", first.reference), (first.reference, second.reference), (second.reference, "")]
    assert list(first.events.filter(kind=ChangeEvent.Kind.PROBLEM).values_list("old_value", "new_value")) == [
        ("", problem.reference),
        (problem.reference, ""),
    ]
    assert second.events.filter(kind=ChangeEvent.Kind.PROBLEM).count() == 2


def test_naming_the_same_change_again_writes_nothing(problem, technician_user):
    change = ChangeFactory()
    problem = problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": change.pk})
    version = problem.version
    problem = problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": change.pk})
    assert problem.version == version
    assert problem.events.filter(field="fixed_by_change").count() == 1


@pytest.mark.parametrize("status", [ChangeStatus.CANCELLED, ChangeStatus.REJECTED])
def test_a_cancelled_or_rejected_change_cannot_carry_the_fix(problem, technician_user, status):
    change = ChangeFactory(status=status)
    with pytest.raises(Exception, match="cannot carry the fix") as refused:
        problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": change.pk})
    assert refused.type.__name__ == "ValidationError"
    with pytest.raises(Exception, match="cannot carry the fix"):
        problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": 999_999})
    assert not ProblemFix.objects.exists()
    assert not ProblemEvent.objects.filter(field="fixed_by_change").exists()


def test_a_stale_copy_or_a_closed_problem_changes_nothing(problem, technician_user):
    change = ChangeFactory()
    with pytest.raises(ProblemConflict):
        problem_update(
            problem=problem,
            by=technician_user,
            changes={"fixed_by_change": change.pk},
            expected_version=problem.version - 1 if problem.version > 1 else 99,
        )
    problem_change_status(problem=problem, to=ProblemStatus.CLOSED, by=technician_user)
    with pytest.raises(Exception, match="closed"):
        problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": change.pk})
    assert not ProblemFix.objects.exists()


def test_staff_cannot_name_a_fix(problem, staff_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        problem_update(problem=problem, by=staff_user, changes={"fixed_by_change": ChangeFactory().pk})


# --- fixed by change: the pages ----------------------------------------------------------------------------


def test_the_problem_page_names_the_change_and_says_when_it_succeeded(signed_in, technician_user, problem):
    change = ChangeFactory(status=ChangeStatus.IN_PROGRESS, summary=f"Replace the UPS {XSS}")
    client = signed_in(technician_user)
    response = client.post(
        reverse("changes:problem_fix", args=[problem.pk]),
        {"change": change.reference.lower(), "version": problem.version},
    )
    assert response.status_code == 302 and response["Location"].endswith("#fix")
    page = client.get(reverse("problems:problem_detail", args=[problem.pk])).content.decode()
    assert "Fixed by change" in page and change.reference in page
    assert "&lt;script&gt;" in page and XSS not in page
    assert "then resolve this problem" not in page
    change.status, change.outcome = ChangeStatus.IMPLEMENTED, Outcome.WITH_ISSUES
    change.save()
    page = client.get(reverse("problems:problem_detail", args=[problem.pk])).content.decode()
    assert f"{change.reference} was implemented" in page and "outcome “successful with issues”" in page
    assert "then resolve this problem" in page
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.LOGGED  # told, never resolved behind the technician's back
    change.outcome = Outcome.FAILED
    change.save()
    page = client.get(reverse("problems:problem_detail", args=[problem.pk])).content.decode()
    assert "then resolve this problem" not in page


def test_the_change_page_lists_the_problems_it_fixes(signed_in, technician_user, manager_user, problem):
    change = ChangeFactory()
    problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": change.pk})
    page = signed_in(manager_user).get(reverse("changes:change_detail", args=[change.pk])).content.decode()
    assert "Problems this change fixes" in page and problem.reference in page
    assert reverse("problems:problem_detail", args=[problem.pk]) in page
    history = page[page.index('id="history"') :]
    assert "named as a problem&#x27;s fix" in history and problem.reference in history


def test_the_problem_page_refuses_bad_input_and_a_stale_page_without_change(
    signed_in, technician_user, problem
):
    client = signed_in(technician_user)
    url = reverse("changes:problem_fix", args=[problem.pk])
    cancelled = ChangeFactory(status=ChangeStatus.CANCELLED)
    for data, words in (
        ({"change": "PRB-12", "version": problem.version}, "is not a change reference"),
        ({"change": cancelled.reference, "version": problem.version}, "cannot carry the fix"),
        ({"change": ChangeFactory().reference, "version": problem.version + 5}, "changed by someone else"),
    ):
        page = client.post(url, data, follow=True).content.decode()
        assert words in page, data
    assert not ProblemFix.objects.exists()
    assert (
        client.post(reverse("changes:problem_fix", args=[999_999]), {"change": "", "version": 1}).status_code
        == 404
    )


def test_staff_never_reach_the_fix_form_and_posts_need_csrf(signed_in, staff_user, technician_user, problem):
    change = ChangeFactory()
    url = reverse("changes:problem_fix", args=[problem.pk])
    data = {"change": change.reference, "version": problem.version}
    assert signed_in(staff_user).post(url, data).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(technician_user)
    assert strict.post(url, data).status_code == 403
    assert not ProblemFix.objects.exists()


# --- fixed by change: the API --------------------------------------------------------------------------


def test_the_problem_json_reads_and_writes_fixed_by_change(technician_user, problem):
    change = ChangeFactory()
    client = api(technician_user)
    url = reverse("problem-detail", args=[problem.pk])
    assert client.get(url).json()["fixed_by_change"] is None
    response = client.patch(url, {"fixed_by_change": change.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["fixed_by_change"] == change.pk
    assert client.get(reverse("problem-list")).json()["results"][0]["fixed_by_change"] == change.pk
    assert client.get(reverse("change-detail", args=[change.pk])).json()["fixes_problems"] == [problem.pk]
    cancelled = ChangeFactory(status=ChangeStatus.CANCELLED)
    refused = client.patch(url, {"fixed_by_change": cancelled.pk}, format="json")
    assert refused.status_code == 400 and "fixed_by_change" in refused.json()
    assert client.patch(url, {"fixed_by_change": None}, format="json").json()["fixed_by_change"] is None
    assert problem.events.filter(field="fixed_by_change").count() == 2


def test_a_problem_is_created_with_its_fixing_change(technician_user):
    change = ChangeFactory()
    response = api(technician_user).post(
        reverse("problem-list"),
        {"summary": "Link drops", "service": ServiceFactory().pk, "fixed_by_change": change.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["fixed_by_change"] == change.pk


# --- caused by change: the service ----------------------------------------------------------------------


def test_an_incident_is_caused_by_one_change_at_most(technician_user, incident):
    first, second = carried_out(), ChangeFactory(status=ChangeStatus.IN_PROGRESS)
    services.incident_caused_by_set(ticket=incident, change=first, by=technician_user)
    services.incident_caused_by_set(ticket=incident, change=first, by=technician_user)  # once
    assert list(incident.caused_by_changes.all()) == [first]
    services.change_link_incident(change=second, ticket=incident, by=technician_user)  # moves it
    assert list(incident.caused_by_changes.all()) == [second]
    services.incident_caused_by_set(ticket=incident, change=None, by=technician_user)
    assert not incident.caused_by_changes.exists()
    ticket_rows = incident.events.filter(kind=TicketEvent.Kind.CHANGE).order_by("pk")
    assert [(e.old_value, e.new_value, e.internal) for e in ticket_rows] == [
        ("", first.reference, True),
        (first.reference, second.reference, True),
        (second.reference, "", True),
    ]
    first_rows = first.events.filter(kind=ChangeEvent.Kind.INCIDENT).order_by("pk")
    assert [(e.old_value, e.new_value) for e in first_rows] == [
        ("", incident.reference),
        (incident.reference, ""),
    ]
    assert "now caused by " + second.reference in first_rows[1].note


def test_only_a_change_carried_out_causes_only_incidents(technician_user, incident, staff_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError, match="carried out"):
        services.incident_caused_by_set(
            ticket=incident, change=ChangeFactory(status=ChangeStatus.APPROVED), by=technician_user
        )
    request = TicketFactory(
        requester=staff_user, kind="request", service=ServiceFactory(offers_requests=True)
    )
    with pytest.raises(ValidationError, match="service request"):
        services.incident_caused_by_set(ticket=request, change=carried_out(), by=technician_user)
    with pytest.raises(PermissionDenied):
        services.incident_caused_by_set(ticket=incident, change=carried_out(), by=staff_user)
    assert not incident.events.filter(kind=TicketEvent.Kind.CHANGE).exists()


# --- caused by change: the ticket page and JSON ----------------------------------------------------------


def test_the_desk_sets_and_clears_the_cause_from_the_ticket_page(signed_in, technician_user, incident):
    change = carried_out(summary=f"Firmware update {XSS}")
    client = signed_in(technician_user)
    page = client.get(reverse("ticket_detail", args=[incident.pk])).content.decode()
    assert "Caused by a change" in page and 'name="change"' in page
    url = reverse("changes:ticket_caused_by", args=[incident.pk])
    response = client.post(url, {"change": change.reference, "version": incident.version})
    assert response.status_code == 302 and response["Location"].endswith("#caused-by")
    page = client.get(reverse("ticket_detail", args=[incident.pk])).content.decode()
    assert (
        f'Caused by <a href="{reverse("changes:change_detail", args=[change.pk])}">{change.reference}</a>'
        in page
    )
    assert "&lt;script&gt;" in page and XSS not in page
    history = page[page.index('id="history"') :]
    assert change.reference in history
    change_page = client.get(reverse("changes:change_detail", args=[change.pk])).content.decode()
    assert incident.reference in change_page
    client.post(url, {"change": "", "version": incident.version})
    assert not incident.caused_by_changes.exists()


def test_the_ticket_page_refuses_bad_input_and_a_stale_page(signed_in, technician_user, incident):
    client = signed_in(technician_user)
    url = reverse("changes:ticket_caused_by", args=[incident.pk])
    for data, words in (
        ({"change": "nonsense", "version": incident.version}, "is not a change reference"),
        ({"change": "CHG-999999", "version": incident.version}, "There is no change CHG-999999"),
        ({"change": ChangeFactory().reference, "version": incident.version}, "carried out"),
        ({"change": carried_out().reference, "version": incident.version + 3}, "The page changed"),
    ):
        page = client.post(url, data, follow=True).content.decode()
        assert words in page, data
    assert not incident.caused_by_changes.exists()


def test_staff_never_see_or_use_the_caused_by_controls(signed_in, staff_user, technician_user, incident):
    change = carried_out()
    services.incident_caused_by_set(ticket=incident, change=change, by=technician_user)
    client = signed_in(staff_user)
    page = client.get(reverse("ticket_detail", args=[incident.pk])).content.decode()
    assert "Caused by" not in page and change.reference not in page
    url = reverse("changes:ticket_caused_by", args=[incident.pk])
    assert client.post(url, {"change": "", "version": incident.version}).status_code == 403
    assert (
        api(staff_user).get(reverse("ticket-detail", args=[incident.pk])).json()["caused_by_change"] is None
    )
    assert list(incident.caused_by_changes.all()) == [change]


def test_the_caused_by_form_needs_csrf(technician_user, incident):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(technician_user)
    url = reverse("changes:ticket_caused_by", args=[incident.pk])
    assert (
        strict.post(url, {"change": carried_out().reference, "version": incident.version}).status_code == 403
    )
    assert not incident.caused_by_changes.exists()


def test_the_ticket_json_names_the_causing_change(technician_user, incident):
    client = api(technician_user)
    assert client.get(reverse("ticket-detail", args=[incident.pk])).json()["caused_by_change"] is None
    change = carried_out()
    services.incident_caused_by_set(ticket=incident, change=change, by=technician_user)
    assert client.get(reverse("ticket-detail", args=[incident.pk])).json()["caused_by_change"] == change.pk
    rows = client.get(reverse("ticket-list")).json()["results"]
    assert [row["caused_by_change"] for row in rows if row["id"] == incident.pk] == [change.pk]
    assert client.get(reverse("change-detail", args=[change.pk])).json()["caused_incidents"] == [incident.pk]


def test_the_caused_by_panel_costs_the_ticket_page_no_query(
    signed_in, technician_user, incident, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(technician_user)
    url = reverse("ticket_detail", args=[incident.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    services.incident_caused_by_set(ticket=incident, change=carried_out(), by=technician_user)
    client.get(url)
    with CaptureQueriesContext(connection) as with_cause:
        page = client.get(url).content.decode()
    assert "Caused by <a" in page
    # The history has one row more (same query); the panel reads the change in the ticket's own query.
    assert len(with_cause) == len(without)


def test_with_nothing_registered_problems_knows_no_fixing_change(monkeypatch, problem, technician_user):
    from django.core.exceptions import ValidationError

    from problems import problem_extensions

    monkeypatch.setattr(problem_extensions, "_writers", {})
    monkeypatch.setattr(problem_extensions, "_panels", {})
    with pytest.raises(ValidationError, match="cannot be changed here"):
        problem_update(problem=problem, by=technician_user, changes={"fixed_by_change": ChangeFactory().pk})
    assert problem_extensions.problem_panels(technician_user, problem) == []
