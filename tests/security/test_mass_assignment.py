"""Item 8: a requester sends the fields only the service desk (or nobody) sets: refused, nothing changes.

Through the API (PATCH, PUT, POST create, transition) and through the pages' forms, with their own ticket:
status, assignee, group, priority, due times, requester, and their own is_staff / is_superuser / groups.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.models import Status, Ticket
from sites.models import Site

from .conftest import database_fingerprint

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.now() + datetime.timedelta(days=1)).isoformat()


def hostile_fields(world) -> dict:
    return {
        "status": Status.RESOLVED,
        "assignee": world.attacker.pk,
        "group": world.ticket.group_id,
        "priority": 1,
        "priority_reason": "because",
        "response_due_at": TOMORROW,
        "resolution_due_at": TOMORROW,
        "requester": world.victim.pk,
        "channel": "phone",
        "is_staff": True,
        "is_superuser": True,
        "groups": [1],
        "impact": "high",
        "urgency": "high",
        "version": 1,
    }


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_login(world.attacker)
    return client


FIELDS = (
    "status",
    "assignee",
    "group",
    "priority",
    "priority_reason",
    "response_due_at",
    "resolution_due_at",
    "requester",
    "channel",
    "is_staff",
    "is_superuser",
    "groups",
    "impact",
    "urgency",
)


@pytest.mark.parametrize("field", FIELDS)
def test_a_requester_may_not_patch_a_service_desk_field_of_their_own_ticket(world, api, field):
    before = database_fingerprint()
    value = hostile_fields(world)[field]
    response = api.patch(f"/api/tickets/{world.own_ticket.pk}/", {field: value}, format="json")
    assert response.status_code in (400, 403)
    assert field in response.json()  # the refusal names the field
    assert database_fingerprint() == before


def test_all_of_them_at_once_and_by_put_change_nothing(world, api):
    before = database_fingerprint()
    url = f"/api/tickets/{world.own_ticket.pk}/"
    assert api.patch(url, hostile_fields(world), format="json").status_code in (400, 403)
    assert api.put(url, hostile_fields(world), format="json").status_code == 405
    assert database_fingerprint() == before
    world.attacker.refresh_from_db()
    assert not world.attacker.is_staff and not world.attacker.is_superuser


def test_logging_a_ticket_ignores_or_refuses_what_the_requester_may_not_set(world, api):
    payload = {
        "service": world.own_ticket.service_id,
        "site": Site.objects.get(name="Dutywa Main Building").pk,
        "summary": "Monitor flickers",
        "description": "Since this morning.",
        "impact": "low",
        "urgency": "low",
    }
    # requester and channel would log on someone else's behalf: refused outright.
    for field in ("requester", "channel"):
        response = api.post("/api/tickets/", {**payload, field: hostile_fields(world)[field]}, format="json")
        assert response.status_code == 403 and field in response.json()
    # The rest are not fields of a new ticket: the ticket is logged as if they were not sent.
    extra = {k: v for k, v in hostile_fields(world).items() if k not in ("requester", "channel", "impact")}
    response = api.post("/api/tickets/", {**payload, **extra}, format="json")
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.requester == world.attacker
    assert ticket.status == Status.NEW
    assert ticket.assignee is None
    assert ticket.priority != 1  # low impact, low urgency: the matrix decides, not the caller
    assert ticket.response_due_at is None or ticket.response_due_at.isoformat() != TOMORROW
    world.attacker.refresh_from_db()
    assert not world.attacker.is_staff and not world.attacker.is_superuser


def test_a_requester_cannot_move_their_ticket_to_a_service_desk_status(world, api):
    before = database_fingerprint()
    url = f"/api/tickets/{world.own_ticket.pk}/transition/"
    version = world.own_ticket.version  # the attacker read their ticket first: no 428 to hide behind
    for target in (Status.IN_PROGRESS, Status.RESOLVED, Status.PENDING):
        response = api.post(url, {"status": target, "version": version}, format="json")
        assert response.status_code in (400, 403), target
    for action in ("assign", "take"):
        body = (
            {"assignee": world.attacker.pk, "version": version}
            if action == "assign"
            else {"version": version}
        )
        response = api.post(f"/api/tickets/{world.own_ticket.pk}/{action}/", body, format="json")
        assert response.status_code == 403, action
    assert database_fingerprint() == before


def test_the_pages_forms_refuse_the_same_changes(world):
    client = Client()
    client.force_login(world.attacker)
    before = database_fingerprint()
    pk, version = world.own_ticket.pk, world.own_ticket.version
    posts = {
        f"/tickets/{pk}/status/": {"status": Status.RESOLVED, "version": version},
        f"/tickets/{pk}/assign/": {"assignee": world.attacker.pk, "version": version},
        f"/tickets/{pk}/take/": {"version": version},
        f"/tickets/{pk}/details/": {"impact": "high", "urgency": "high", "version": version},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code in (400, 403, 404), (url, response.status_code)
    assert database_fingerprint() == before


def test_logging_a_ticket_on_the_page_cannot_name_another_requester(world):
    client = Client()
    client.force_login(world.attacker)
    response = client.post(
        "/tickets/new/",
        {
            "kind": "incident",
            "service": world.own_ticket.service_id,
            "site": world.own_ticket.site_id,
            "summary": "Keyboard missing keys",
            "description": "Since the weekend.",
            "how_bad": "slowed",
            "impact": "high",  # the page asks how bad it is; impact and urgency sent by hand are ignored
            "urgency": "high",
            "requester": world.victim.pk,
            "status": Status.RESOLVED,
            "priority": 1,
            "assignee": world.attacker.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = Ticket.objects.get(summary="Keyboard missing keys")
    assert latest.requester == world.attacker
    assert latest.status == Status.NEW
    assert latest.assignee is None
    assert (latest.impact, latest.urgency) == ("low", "medium")
    assert latest.priority != 1
