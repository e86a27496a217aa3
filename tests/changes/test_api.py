"""/api/changes/: the fields the issue lists, filters, transitions, conflicts, the calendar, incidents
caused; Staff get 403 except the calendar of approved changes that affect them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from changes.models import ChangeStatus
from tests.factories import ChangeFactory, CriticalPeriodFactory, ServiceFactory, SiteFactory, TicketFactory

from .conftest import at

pytestmark = pytest.mark.django_db
S = ChangeStatus


@pytest.fixture
def api():
    return APIClient()


def as_(api, user):
    api.force_authenticate(user)
    return api


def test_a_change_json_has_the_fields_the_issue_names(api, technician_user):
    change = ChangeFactory(status=S.IMPLEMENTED, outcome="failed", review="x", sites=[SiteFactory()])
    ticket = TicketFactory()
    change.caused_incidents.add(ticket)
    body = as_(api, technician_user).get(f"/api/changes/{change.pk}/").json()
    for name in (
        "id", "reference", "type", "status", "summary", "risk", "services", "sites", "assets",
        "planned_start", "planned_end", "approvals", "outcome", "caused_incidents",
    ):  # fmt: skip
        assert name in body, name
    assert body["reference"] == change.reference and body["caused_incidents"] == [ticket.pk]


def test_create_transition_and_approve_through_the_api(api, technician_user, manager_user):
    site = SiteFactory()
    created = as_(api, technician_user).post(
        "/api/changes/",
        {
            "summary": "Upgrade the Dutywa firewall",
            "reason": "End of support in April.",
            "type": "normal",
            "likelihood": "high",
            "impact": "high",
            "sites": [site.pk],
            "implementation_plan": "Flash, restore.",
            "backout_plan": "Flash the old image.",
            "test_plan": "Browse; VPN in.",
            "planned_start": at(9, 17).isoformat(),
            "planned_end": at(9, 19).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    change = created.json()
    assert change["status"] == "draft" and change["risk"] == "high" and change["reference"].startswith("CHG-")
    url = f"/api/changes/{change['id']}/transition/"
    assert (
        api.post(url, {"to": "submitted", "note": "For CAB"}, format="json").json()["status"] == "submitted"
    )
    assert api.post(url, {"to": "assessed"}, format="json").status_code == 403  # a technician does not assess
    as_(api, manager_user)
    assert api.post(url, {"to": "assessed"}, format="json").status_code == 200
    one = api.post(url, {"to": "approved"}, format="json").json()
    assert one["status"] == "assessed" and [a["who"] for a in one["approvals"]] == [manager_user.username]
    assert api.post(url, {"to": "closed"}, format="json").status_code == 400


def test_partial_update_goes_through_the_services(api, technician_user):
    change = ChangeFactory(status=S.CLOSED)
    answer = as_(api, technician_user).patch(f"/api/changes/{change.pk}/", {"summary": "x"}, format="json")
    assert answer.status_code == 400
    draft = ChangeFactory()
    answer = api.patch(f"/api/changes/{draft.pk}/", {"summary": "Replace the UPS"}, format="json")
    assert answer.status_code == 200 and answer.json()["summary"] == "Replace the UPS"
    assert (
        api.patch(f"/api/changes/{draft.pk}/", {"status": "closed"}, format="json").json()["status"]
        == "draft"
    )


def test_filters_status_type_site_service_and_planned_between(api, technician_user):
    site, service = SiteFactory(), ServiceFactory()
    hit = ChangeFactory(
        status=S.SCHEDULED, sites=[site], services=[service], planned_start=at(9, 9), planned_end=at(9, 10)
    )
    ChangeFactory(status=S.SCHEDULED, planned_start=at(20, 9), planned_end=at(20, 10))
    ChangeFactory(status=S.DRAFT, sites=[site])
    as_(api, technician_user)

    def ids(**params):
        return [row["id"] for row in api.get("/api/changes/", params).json()["results"]]

    assert ids(site=site.pk, status="scheduled") == [hit.pk]
    assert ids(service=service.pk) == [hit.pk]
    assert hit.pk in ids(type="normal")
    assert ids(planned_from="2027-03-08", planned_to="2027-03-10") == [hit.pk]


def test_conflicts_and_calendar(api, manager_user):
    service = ServiceFactory(name="Financial system (Munsoft)")
    CriticalPeriodFactory(
        service=service, name="month end", rule="days_of_month", working_days=None, from_day=25, to_day=31
    )
    change = ChangeFactory(
        status=S.SCHEDULED, services=[service], planned_start=at(26, 17), planned_end=at(26, 19)
    )
    as_(api, manager_user)
    [conflict] = api.get(f"/api/changes/{change.pk}/conflicts/").json()
    assert conflict["kind"] == "critical_period" and "month end" in conflict["reason"]
    entries = api.get("/api/changes/calendar/", {"from": "2027-03-20", "to": "2027-03-31"}).json()
    kinds = {(e["kind"], e["title"]) for e in entries}
    assert ("change", f"{change.reference} {change.summary}") in kinds
    assert ("critical_period", "Financial system (Munsoft): month end") in kinds
    assert api.get("/api/changes/calendar/", {"from": "2027-03-20"}).status_code == 400
    assert api.get("/api/changes/calendar/", {"from": "2027-01-01", "to": "2027-12-31"}).status_code == 400


def test_staff_get_403_except_the_calendar_of_approved_changes_at_their_site(api, staff_user):
    home = SiteFactory()
    staff_user.site = home
    staff_user.save(update_fields=["site"])
    mine = ChangeFactory(status=S.SCHEDULED, sites=[home], planned_start=at(9, 17), planned_end=at(9, 19))
    ChangeFactory(status=S.ASSESSED, sites=[home], planned_start=at(9, 17), planned_end=at(9, 19))
    ChangeFactory(status=S.SCHEDULED, sites=[SiteFactory()], planned_start=at(9, 17), planned_end=at(9, 19))
    as_(api, staff_user)
    assert api.get("/api/changes/").status_code == 403
    assert api.get(f"/api/changes/{mine.pk}/").status_code == 403
    assert api.get(f"/api/changes/{mine.pk}/conflicts/").status_code == 403
    assert api.post("/api/changes/", {"summary": "x"}, format="json").status_code == 403
    assert (
        api.post(f"/api/changes/{mine.pk}/transition/", {"to": "in_progress"}, format="json").status_code
        == 403
    )
    entries = api.get("/api/changes/calendar/", {"from": "2027-03-01", "to": "2027-03-31"}).json()
    assert [(e["kind"], e["id"]) for e in entries] == [("change", mine.pk)]


def test_incidents_are_linked_as_caused_by_the_change(api, technician_user):
    change = ChangeFactory(status=S.IMPLEMENTED, outcome="failed", review="Faulty uplink.")
    ticket = TicketFactory()
    body = (
        as_(api, technician_user)
        .post(f"/api/changes/{change.pk}/incidents/", {"ticket": ticket.pk}, format="json")
        .json()
    )
    assert body["caused_incidents"] == [ticket.pk]


def test_the_list_takes_a_fixed_number_of_queries(api, technician_user):
    sites = [SiteFactory() for _ in range(3)]
    ChangeFactory(sites=sites[:1])
    as_(api, technician_user)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/changes/").status_code == 200
        return len(captured)

    count()  # the role is read once per user object
    few = count()
    for _ in range(20):
        change = ChangeFactory(sites=sites, services=[ServiceFactory()], status=S.ASSESSED)
        change.caused_incidents.add(TicketFactory())
    assert count() == few


def test_the_schema_documents_the_change_endpoints(api, technician_user):
    schema = as_(api, technician_user).get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = schema.json()["paths"] if schema["Content-Type"].startswith("application/json") else None
    text = schema.content.decode()
    for path in (
        "/api/changes/",
        "/api/changes/{id}/transition/",
        "/api/changes/calendar/",
        "/api/changes/{id}/conflicts/",
    ):
        assert path in (paths or text), path
