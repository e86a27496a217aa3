"""/api/problems/: the same rules as the pages, through the same services; staff get 403."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from incidents.models import TicketEvent
from problems.models import IncidentLink, ProblemStatus
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_get_403_everywhere(staff_user, technician, service):
    problem = ProblemFactory(by=technician, service=service)
    client = api(staff_user)
    assert client.get(reverse("problem-list")).status_code == 403
    assert client.get(reverse("problem-detail", args=[problem.pk])).status_code == 403
    assert client.post(reverse("problem-list"), {"summary": "x", "service": service.pk}).status_code == 403
    assert client.patch(reverse("problem-detail", args=[problem.pk]), {"summary": "x"}).status_code == 403
    url = reverse("problem-incidents", args=[problem.pk])
    assert client.post(url, {"tickets": [1]}, format="json").status_code == 403


def test_create_read_filter_and_change(technician, service, willowvale):
    client = api(technician)
    response = client.post(
        reverse("problem-list"),
        {
            "summary": "Queue stalls",
            "service": service.pk,
            "sites": [willowvale.pk],
            "impact": "high",
            "urgency": "high",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    for key in (
        "id",
        "reference",
        "summary",
        "status",
        "service",
        "sites",
        "root_cause",
        "root_cause_category",
        "workaround",
        "known_error",
        "incident_count",
        "created_at",
        "resolved_at",
    ):
        assert key in body
    assert body["reference"].startswith("PRB-") and body["priority"] == 1 and body["sites"] == [willowvale.pk]

    listed = client.get(reverse("problem-list"), {"status": "logged", "site": willowvale.pk}).json()
    assert [p["id"] for p in listed["results"]] == [body["id"]]
    assert client.get(reverse("problem-list"), {"status": "resolved"}).json()["count"] == 0

    url = reverse("problem-detail", args=[body["id"]])
    changed = client.patch(
        url, {"workaround": "Restart the spooler.", "version": body["version"]}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["known_error"] is True and changed.json()["status"] == ProblemStatus.KNOWN_ERROR
    stale = client.patch(url, {"summary": "Other", "version": body["version"]}, format="json")
    assert stale.status_code == 409
    refused = client.patch(url, {"status": "resolved"}, format="json")
    assert refused.status_code == 400  # the root cause and fix first


def test_link_and_unlink_incidents_and_the_tickets_json(technician, service, incidents, staff_user):
    problem = ProblemFactory(by=technician, service=service)
    tickets = incidents(2)
    client = api(technician)
    url = reverse("problem-incidents", args=[problem.pk])
    response = client.post(url, {"tickets": [t.pk for t in tickets]}, format="json")
    assert response.status_code == 200 and response.json()["changed"] == 2
    assert response.json()["problem"]["incident_count"] == 2
    assert client.get(reverse("ticket-detail", args=[tickets[0].pk])).json()["problem"] == problem.pk
    listed = client.get(reverse("ticket-list")).json()["results"]
    assert {t["id"]: t["problem"] for t in listed}[tickets[1].pk] == problem.pk
    # The requester's own ticket JSON never says a problem exists.
    assert api(staff_user).get(reverse("ticket-detail", args=[tickets[0].pk])).json()["problem"] is None

    response = client.delete(url, {"tickets": [tickets[0].pk]}, format="json")
    assert response.json()["changed"] == 1
    assert not IncidentLink.objects.filter(ticket=tickets[0]).exists()
    assert TicketEvent.objects.filter(ticket=tickets[0], kind=TicketEvent.Kind.PROBLEM).count() == 2
    assert client.post(url, {"tickets": [999999]}, format="json").status_code == 400
