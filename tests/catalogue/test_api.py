"""/api/services/ and /api/categories/: read for signed-in users, write for the Admin role only."""

import pytest
from rest_framework.test import APIClient

from catalogue.models import Lifecycle, Service, ServiceCategory, SupportGroup
from tests.factories import implemented_change_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_services_list_includes_request_fields(api, staff_user):
    api.force_authenticate(staff_user)

    body = api.get("/api/services/", {"status": "live", "page_size": 100}).json()

    names = [s["name"] for s in body["results"]]
    assert "User accounts and passwords" in names
    accounts = next(s for s in body["results"] if s["name"] == "User accounts and passwords")
    assert [f["key"] for f in accounts["request_fields"]][:3] == ["person_name", "department", "start_date"]
    department = next(f for f in accounts["request_fields"] if f["key"] == "department")
    assert "Budget and Treasury" in department["choices"]


def test_services_filter_by_kind_and_criticality(api, staff_user):
    api.force_authenticate(staff_user)

    body = api.get("/api/services/", {"criticality": "critical", "status": "live"}).json()

    assert {s["name"] for s in body["results"]} == {
        "Site network link",
        "Financial management system",
        "Payroll and HR system",
    }


def test_list_query_count_is_fixed(api, staff_user, django_assert_max_num_queries):
    api.force_authenticate(staff_user)
    with django_assert_max_num_queries(5):  # count, services, request fields, critical periods, + auth
        api.get("/api/services/")


def payload():
    return {
        "name": "Council chamber audio",
        "category": ServiceCategory.objects.first().pk,
        "support_group": SupportGroup.objects.first().pk,
        "description": "Microphones and recording in the council chamber.",
        "criticality": "medium",
        "offers_incidents": True,
        "offers_requests": False,
    }


@pytest.mark.parametrize("role_user", ["staff_user", "technician_user", "manager_user"])
def test_only_admins_write(api, request, role_user):
    api.force_authenticate(request.getfixturevalue(role_user))
    service = Service.objects.first()

    assert api.post("/api/services/", payload(), format="json").status_code == 403
    assert api.patch(f"/api/services/{service.pk}/", {"name": "x"}, format="json").status_code == 403
    assert api.post(f"/api/services/{service.pk}/status/", {"status": "retired"}).status_code == 403
    assert api.post("/api/categories/", {"name": "x"}).status_code == 403
    service.refresh_from_db()
    assert service.status == Lifecycle.LIVE


def test_admin_creates_in_pipeline_then_makes_live(api, admin_role_user):
    api.force_authenticate(admin_role_user)

    created = api.post("/api/services/", {**payload(), "status": "retired"}, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "pipeline"  # status is not settable by PATCH/POST
    refused = api.post(f"/api/services/{created.json()['id']}/status/", {"status": "live"})
    assert refused.status_code == 400
    assert "only through an implemented change" in refused.json()["status"][0]
    implemented_change_for(Service.objects.get(pk=created.json()["id"]))
    live = api.post(f"/api/services/{created.json()['id']}/status/", {"status": "live"})
    assert live.status_code == 200
    assert live.json()["status"] == "live"
    back = api.post(f"/api/services/{created.json()['id']}/status/", {"status": "pipeline"})
    assert back.status_code == 400
    assert "cannot become" in back.json()["status"][0]


def test_services_are_never_deleted(api, admin_role_user):
    api.force_authenticate(admin_role_user)
    service = Service.objects.first()
    assert api.delete(f"/api/services/{service.pk}/").status_code == 400
    assert Service.objects.filter(pk=service.pk).exists()


def test_a_service_offering_nothing_is_refused(api, admin_role_user):
    api.force_authenticate(admin_role_user)
    response = api.post("/api/services/", {**payload(), "offers_incidents": False}, format="json")
    assert response.status_code == 400
    assert "offer incidents" in str(response.json())


def test_anonymous_refused(api):
    assert api.get("/api/services/").status_code in (401, 403)
    assert api.get("/api/categories/").status_code in (401, 403)
