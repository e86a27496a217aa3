"""Django admin is the admins' place to run the catalogue: add a service with its questions, publish it."""

import pytest
from django.urls import reverse

from catalogue.models import Lifecycle, Service, ServiceCategory, SupportGroup
from tests.factories import implemented_change_for

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "admin:catalogue_service_changelist",
    "admin:catalogue_service_add",
    "admin:catalogue_servicecategory_changelist",
    "admin:catalogue_supportgroup_changelist",
    "admin:catalogue_prioritymatrixcell_changelist",
    "admin:catalogue_assettypeservice_changelist",
    "admin:catalogue_service_import_csv",
    "admin:catalogue_service_export_csv",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_open_for_the_admin_role(signed_in, admin_role_user, page):
    assert signed_in(admin_role_user).get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("role_user", ["staff_user", "technician_user", "manager_user"])
def test_admin_pages_are_refused_to_other_roles(signed_in, request, role_user, page):
    response = signed_in(request.getfixturevalue(role_user)).get(reverse(page))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def service_form(**overrides):
    data = {
        "name": "New starter laptop bundle",
        "category": ServiceCategory.objects.get(name="Computers and software").pk,
        "description": "A laptop, bag and accounts ready on a new colleague's first day.",
        "keywords": "laptop, new starter",
        "status": Lifecycle.PIPELINE,
        "criticality": "medium",
        "support_group": SupportGroup.objects.get(name="Desktop and Printing").pk,
        "offers_requests": "on",
        "request_impact": "low",
        "request_urgency": "medium",
        "request_fields-TOTAL_FORMS": "2",
        "request_fields-INITIAL_FORMS": "0",
        "request_fields-MIN_NUM_FORMS": "0",
        "request_fields-MAX_NUM_FORMS": "1000",
        "request_fields-0-display_order": "1",
        "request_fields-0-label": "Colleague's name",
        "request_fields-0-key": "colleague_name",
        "request_fields-0-field_type": "text",
        "request_fields-0-required": "on",
        "request_fields-1-display_order": "2",
        "request_fields-1-label": "First day",
        "request_fields-1-key": "first_day",
        "request_fields-1-field_type": "date",
        "request_fields-1-required": "on",
        "critical_periods-TOTAL_FORMS": "0",
        "critical_periods-INITIAL_FORMS": "0",
        "critical_periods-MIN_NUM_FORMS": "0",
        "critical_periods-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_service_publishes_it_and_staff_see_it(signed_in, admin_role_user, staff_user, client):
    admin = signed_in(admin_role_user)

    added = admin.post(reverse("admin:catalogue_service_add"), service_form())
    assert added.status_code == 302, added.context["adminform"].form.errors if added.context else added
    service = Service.objects.get(name="New starter laptop bundle")
    assert service.status == Lifecycle.PIPELINE
    assert [f.key for f in service.request_fields.all()] == ["colleague_name", "first_day"]

    client.force_login(staff_user)
    catalogue = client.get(reverse("catalogue:catalogue"))
    assert service in catalogue.context["coming"]

    admin.force_login(admin_role_user)
    page = admin.get(reverse("admin:catalogue_service_change", args=[service.pk]))
    assert "goes live only through an implemented change that names it" in page.content.decode()
    refused = admin.post(
        reverse("admin:catalogue_service_changelist"),
        {"action": "make_live", "_selected_action": [service.pk]},
        follow=True,
    )
    assert "only through an implemented change" in refused.content.decode()
    implemented_change_for(service)
    assert (
        "Live: allowed now."
        in admin.get(reverse("admin:catalogue_service_change", args=[service.pk])).content.decode()
    )
    moved = admin.post(
        reverse("admin:catalogue_service_changelist"),
        {"action": "make_live", "_selected_action": [service.pk]},
        follow=True,
    )
    assert "1 service(s) are now live" in moved.content.decode()
    service.refresh_from_db()
    assert service.status == Lifecycle.LIVE
    assert service.history.first().history_user == admin_role_user

    client.force_login(staff_user)
    catalogue = client.get(reverse("catalogue:catalogue"))
    assert service in [s for _, services in catalogue.context["by_category"] for s in services]


def test_admin_cannot_move_a_retired_service_back(signed_in, admin_role_user):
    fax = Service.objects.get(name="Fax lines")

    response = signed_in(admin_role_user).post(
        reverse("admin:catalogue_service_changelist"),
        {"action": "make_live", "_selected_action": [fax.pk]},
        follow=True,
    )

    assert "it cannot become live" in response.content.decode()
    fax.refresh_from_db()
    assert fax.status == Lifecycle.RETIRED


def test_status_is_read_only_on_an_existing_service(signed_in, admin_role_user):
    service = Service.objects.get(name="E-mail and calendars")
    page = signed_in(admin_role_user).get(reverse("admin:catalogue_service_change", args=[service.pk]))
    assert 'name="status"' not in page.content.decode()


def test_a_bad_request_field_is_refused_with_its_reason(signed_in, admin_role_user):
    response = signed_in(admin_role_user).post(
        reverse("admin:catalogue_service_add"),
        service_form(**{"request_fields-1-field_type": "choice", "request_fields-1-choices": "Only one"}),
    )
    assert response.status_code == 200
    assert "at least two choices" in response.content.decode()
    assert not Service.objects.filter(name="New starter laptop bundle").exists()


def test_csv_import_view_reports_bad_lines_and_writes_nothing(signed_in, admin_role_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (
        "name,category,support_group,description\n"
        "Fine service,Test category,Networks,Fine.\n"
        "Broken service,Test category,Nobody,Broken.\n"
    )
    response = signed_in(admin_role_user).post(
        reverse("admin:catalogue_service_import_csv"),
        {"file": SimpleUploadedFile("c.csv", body.encode(), content_type="text/csv")},
    )

    assert response.status_code == 400
    assert "line 3: support group &#x27;Nobody&#x27; does not exist" in response.content.decode()
    assert not Service.objects.filter(name="Fine service").exists()


def test_csv_export_downloads(signed_in, admin_role_user):
    response = signed_in(admin_role_user).get(reverse("admin:catalogue_service_export_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "Financial management system" in response.content.decode("utf-8-sig")


def test_a_services_request_priority_is_shown_from_the_matrix(signed_in, admin_role_user):
    service = Service.objects.get(name="User accounts and passwords")

    html = (
        signed_in(admin_role_user).get(reverse("admin:catalogue_service_change", args=[service.pk])).content
    )

    assert b"Priority of its requests" in html
    assert b"low impact x medium urgency" in html
