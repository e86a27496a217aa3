"""The improvement register (CSI-000001): its rules, its pages and API (the ICT manager's), the ManCo
report's "Problems and improvements" and the dashboard's two figures."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from problems import services
from problems.models import ImprovementStatus
from problems.selectors import dashboard_counts, month_section
from tests.factories import ProblemFactory
from tests.reports.stored import counted

pytestmark = pytest.mark.django_db
SAST = ZoneInfo("Africa/Johannesburg")


def raise_one(manager, **kwargs):
    values = {
        "by": manager,
        "what": "Replace the UPS batteries at the remote sites",
        "reason": "manco",
        "comment": "ManCo asks why Willowvale keeps losing printing.",
        "owner": manager,
        "due_on": date(2026, 11, 30),
    } | kwargs
    return services.improvement_raise(**values)


def test_raising_and_finishing_an_action(manager_user, technician):
    improvement = raise_one(manager_user)
    assert improvement.reference == f"CSI-{improvement.pk:06d}"
    with pytest.raises(PermissionDenied):
        raise_one(technician)
    with pytest.raises(ValidationError):
        raise_one(manager_user, reason="problem")  # which problem?
    with pytest.raises(ValidationError):
        raise_one(manager_user, reason="kpi", kpi="resolution_compliance")  # which month?
    with pytest.raises(ValidationError, match="what came of it"):
        services.improvement_update(improvement=improvement, by=manager_user, changes={"status": "done"})
    done = services.improvement_update(
        improvement=improvement, by=manager_user, changes={"status": "done", "outcome": "Batteries replaced."}
    )
    assert done.status == ImprovementStatus.DONE and done.done_at is not None


def test_overdue_actions_and_open_problems_on_the_dashboard(signed_in, manager_user, technician, service):
    ProblemFactory(by=technician, service=service)
    raise_one(manager_user, due_on=date(2020, 1, 31))
    raise_one(manager_user, due_on=date(2099, 1, 31))
    assert dashboard_counts(date(2026, 12, 7)) == {"open_problems": 1, "overdue_improvements": 1}
    page = counted(signed_in(manager_user), reverse("dashboard")).content.decode()
    assert "Open problems" in page and "Overdue improvement actions" in page
    assert reverse("problems:improvement_list") + "?overdue=1" in page
    listed = signed_in(manager_user).get(reverse("problems:improvement_list") + "?overdue=1")
    assert listed.context["page"].paginator.count == 1


def test_the_month_section(manager_user, technician, service, incidents, frozen):
    frozen(2026, 11, 10, 9, 0)
    problem = ProblemFactory(by=technician, service=service)
    services.problem_link_incidents(problem=problem, tickets=incidents(3), by=technician)
    raise_one(manager_user, reason="problem", problem=problem, due_on=date(2026, 11, 20))
    start, end = datetime(2026, 11, 1, tzinfo=SAST), datetime(2026, 12, 1, tzinfo=SAST)
    section = month_section(start, end)
    assert (section["opened"], section["resolved"], section["linked_incidents"]) == (1, 0, 3)
    assert section["top_faults"][0]["reference"] == problem.reference
    assert section["top_faults"][0]["incidents"] == 3
    assert section["improvements"] == {"due": 1, "done": 0, "overdue": 1}
    assert section["actions"][0]["overdue"] is True


def test_staff_and_technicians_cannot_reach_the_register(signed_in, staff_user, technician, manager_user):
    improvement = raise_one(manager_user)
    for user in (staff_user, technician):
        client = signed_in(user)
        assert client.get(reverse("problems:improvement_list")).status_code == 403
        assert client.get(reverse("problems:improvement_edit", args=[improvement.pk])).status_code == 403
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(reverse("improvement-list")).status_code == 403


def test_the_api_raises_and_changes_actions(manager_user):
    api = APIClient()
    api.force_authenticate(manager_user)
    response = api.post(
        reverse("improvement-list"),
        {"what": "Train Finance on the new VPN", "reason": "kpi", "kpi": "first_contact_rate",
         "report_month": "2026-10-01", "owner": manager_user.pk, "due_on": "2026-12-15"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("CSI-")
    changed = api.patch(
        reverse("improvement-detail", args=[body["id"]]),
        {"status": "done", "outcome": "Twelve people trained.", "version": body["version"]},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["status"] == "done"
    assert (
        api.patch(
            reverse("improvement-detail", args=[body["id"]]), {"status": "done", "version": 1}, format="json"
        ).status_code
        == 409
    )


def test_a_signed_off_comment_raises_an_action_in_one_step(signed_in, manager_user):
    url = reverse("problems:improvement_new") + "?reason=manco&report_month=2026-10-01&comment=Fix+Willowvale"
    form = signed_in(manager_user).get(url)
    assert form.status_code == 200
    assert "Fix Willowvale" in form.content.decode()


def test_the_action_page_sends_its_version_back(signed_in, manager_user):
    improvement = raise_one(manager_user)
    client = signed_in(manager_user)
    page = client.get(reverse("problems:improvement_edit", args=[improvement.pk])).content.decode()
    assert f'name="version" value="{improvement.version}"' in page
    response = client.post(
        reverse("problems:improvement_edit", args=[improvement.pk]),
        {"what": improvement.what, "owner": manager_user.pk, "due_on": "2026-11-30", "status": "in_progress",
         "version": improvement.version},
    )  # fmt: skip
    assert response.status_code == 302
    improvement.refresh_from_db()
    assert improvement.status == ImprovementStatus.IN_PROGRESS
