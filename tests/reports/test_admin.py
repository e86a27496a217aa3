"""Report settings (the cost per technician-hour) in admin: one row; report runs are read-only there."""

from decimal import Decimal

import pytest

from reports.models import ReportRun, ReportSettings
from tests.factories import UserFactory
from tests.reports import scenario as answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_report_settings_are_one_row(superuser, signed_in):
    client = signed_in(superuser)
    response = client.post(
        "/admin/reports/reportsettings/add/", {"cost_per_technician_hour": "185.50", "technicians": "4"}
    )
    assert response.status_code == 302
    assert ReportSettings.load().cost_per_technician_hour == Decimal("185.50")
    assert ReportSettings.objects.get().pk == 1
    assert client.get("/admin/reports/reportsettings/add/").status_code == 403  # there is one already
    page = client.get("/admin/reports/reportsettings/1/change/")
    assert page.status_code == 200 and b"Delete" not in page.content


def test_a_negative_cost_is_refused_in_words(superuser, signed_in):
    response = signed_in(superuser).post(
        "/admin/reports/reportsettings/add/", {"cost_per_technician_hour": "-5"}
    )
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert not ReportSettings.objects.exists()


def test_report_runs_are_read_only_in_admin(superuser, signed_in):
    run = ReportRun.objects.create(month=answers.OCTOBER, version=1)
    client = signed_in(superuser)
    assert client.get("/admin/reports/reportrun/").status_code == 200
    page = client.get(f"/admin/reports/reportrun/{run.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content  # view only
    assert client.post(f"/admin/reports/reportrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ReportRun.objects.filter(pk=run.pk).exists()
