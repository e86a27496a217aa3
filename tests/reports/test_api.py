"""/api/reports/: the KPIs and the report runs, for the ICT Manager and Admin roles only."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from common import access as roles
from reports import tasks
from reports.models import ReportRun
from tests.reports import scenario as answers
from tests.reports.stored import counted

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return as_user


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 403), (roles.STAFF, 403), (roles.TECHNICIAN, 403), (roles.MANAGER, 200), (roles.ADMIN, 200)],
)
@pytest.mark.parametrize("url_name", ["report-kpis-list", "report-run-list"])
def test_only_managers_and_admins_read_reports(api, users_by_role, frozen, role, expected, url_name):
    user = users_by_role[role] if role else None
    if expected == 200 and url_name == "report-kpis-list":
        expected = 202  # nothing counted yet: answered, the count queued (docs/kpis.md)
    # Anonymous: 403, not 401 (session authentication comes first and sends no WWW-Authenticate).
    assert api(user).get(reverse(url_name)).status_code == expected


def test_kpis_of_a_month_are_the_dashboards(api, scenario, manager_user):
    response = counted(api(manager_user), reverse("report-kpis-list"), {"month": "2026-10"})
    assert response.status_code == 200
    body = response.json()
    assert body["headline"] == answers.OCTOBER_HEADLINE
    assert body["period"]["month"] == "2026-10" and body["period"]["so_far"] is False


def test_kpis_with_filters_and_without_a_month(api, scenario, manager_user):
    body = counted(
        api(manager_user), reverse("report-kpis-list"), {"month": "2026-10", "town": "Elliotdale"}
    ).json()
    assert body["headline"]["logged"] == 3
    now = counted(api(manager_user), reverse("report-kpis-list")).json()
    assert now["period"]["month"] == "2026-11" and now["period"]["so_far"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "October"}, "month"),
        ({"month": "2031-01"}, "month"),
        ({"town": "Mthatha"}, "town"),
        ({"site": 0}, "site"),
    ],
)
def test_bad_kpi_queries_are_400s_in_words(api, manager_user, frozen, params, field):
    response = api(manager_user).get(reverse("report-kpis-list"), params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_run_requested_built_and_read_through_the_api(
    api, scenario, manager_user, quick_pdf, django_capture_on_commit_callbacks
):
    client = api(manager_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("report-run-list"), {"month": "2026-10"}, format="json")
    assert response.status_code == 202
    assert len(callbacks) == 1
    run_id = response.json()["id"]
    assert response.json()["status"] == "queued" and response.json()["files"] == {
        "pdf": None,
        "xlsx": None,
        "csv": None,
    }

    tasks.build_report(run_id)
    detail = client.get(reverse("report-run-detail", args=[run_id])).json()
    assert detail["status"] == "done" and detail["version"] == 1 and detail["month"] == "2026-10"
    assert detail["snapshot"]["headline"] == answers.OCTOBER_HEADLINE
    assert detail["files"]["pdf"].endswith(reverse("reports:run_download", args=[run_id, "pdf"]))
    listed = client.get(reverse("report-run-list")).json()
    assert [run["id"] for run in listed["results"]] == [run_id]
    assert "snapshot" not in listed["results"][0]


def test_run_requests_that_are_refused(api, scenario, technician_user, manager_user):
    assert (
        api(technician_user).post(reverse("report-run-list"), {"month": "2026-10"}, format="json").status_code
        == 403
    )
    response = api(manager_user).post(reverse("report-run-list"), {"month": "2026-11"}, format="json")
    assert response.status_code == 400
    assert "has not ended" in str(response.json())
    assert (
        api(manager_user).post(reverse("report-run-list"), {"month": "soon"}, format="json").status_code
        == 400
    )
    assert not ReportRun.objects.exists()


def test_runs_cannot_be_changed_or_deleted_through_the_api(api, scenario, manager_user):
    run = ReportRun.objects.create(month=answers.OCTOBER, version=1)
    url = reverse("report-run-detail", args=[run.pk])
    assert api(manager_user).delete(url).status_code == 405
    assert api(manager_user).patch(url, {"commentary": {}}, format="json").status_code == 405
