"""/api/tickets/: list, create, retrieve and PATCH through the services; filters, the lifecycle, refused
fields (mass assignment), optimistic concurrency and a fixed query count."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalogue.models import Lifecycle, SupportGroup
from common import access as roles
from incidents import services
from incidents.lifecycle import SUPPORT, TRANSITIONS
from incidents.models import Status, Ticket, TicketEvent
from sites.models import Site
from tests.factories import AssetFactory, RequestFieldFactory, ServiceFactory, TicketFactory, UserFactory
from tests.incidents.clients import ReadThenChangeClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return ReadThenChangeClient()


@pytest.fixture
def group(technician_user):
    team = SupportGroup.objects.get(name="Desktop and Printing")
    team.members.add(technician_user)
    return team


@pytest.fixture
def service(group):
    return ServiceFactory(support_group=group, criticality="medium")


@pytest.fixture
def ticket(staff_user, service):
    return TicketFactory(requester=staff_user, service=service)


@pytest.fixture
def other_staff(db):
    return UserFactory(username="ayanda", role=roles.STAFF)


def as_user(api, user):
    api.force_authenticate(user)
    return api


def snapshot(ticket):
    """Everything about a ticket that a refused request must leave as it was."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    return model_to_dict(ticket), TicketEvent.objects.filter(ticket=ticket).count()


def url(ticket, tail=""):
    return f"/api/tickets/{ticket.pk}/{tail}"


# --- reading ---------------------------------------------------------------------------------------------


AGREED_FIELDS = {
    # issue 4's list
    *("id", "reference", "kind", "summary", "description", "status", "priority", "impact", "urgency"),
    *("service", "site", "asset", "requester", "assignee", "group", "channel", "sla", "created_at"),
    *("response_due_at", "resolution_due_at", "resolved_at", "parent", "version"),
    # and what the pages show
    *("priority_reason", "pending_reason", "resolution_code", "resolution_note", "first_contact"),
    "request_answers",
}


def test_ticket_json_has_the_agreed_fields(api, ticket, staff_user):
    body = as_user(api, staff_user).get(url(ticket)).json()

    assert not AGREED_FIELDS - set(body)
    assert body["reference"] == f"INC-{ticket.pk:06d}"
    ticket.refresh_from_db()
    assert body["sla"] == (ticket.sla_id and {"id": ticket.sla_id, "name": ticket.sla.name})
    assert body["version"] == 1
    assert body["priority"] == 3
    assert body["requester"] == staff_user.pk
    assert body["allowed_statuses"] == ["closed"]  # a requester may only withdraw a new ticket


def test_detail_carries_the_version_as_etag(api, ticket, technician_user):
    response = as_user(api, technician_user).get(url(ticket))

    assert response["ETag"] == '"1"'
    assert response.json()["allowed_statuses"] == ["assigned", "in_progress", "pending", "resolved", "closed"]


def test_requester_lists_only_their_own_tickets_newest_first(api, staff_user, other_staff, service):
    first = TicketFactory(requester=staff_user, service=service)
    second = TicketFactory(requester=staff_user, service=service)
    TicketFactory(requester=other_staff, service=service)

    body = as_user(api, staff_user).get("/api/tickets/").json()

    assert body["count"] == 2
    assert [t["id"] for t in body["results"]] == [second.pk, first.pk]


def test_support_lists_every_ticket_in_queue_order(api, technician_user, staff_user, other_staff, service):
    low = TicketFactory(requester=staff_user, service=service, impact="low", urgency="low")
    high = TicketFactory(requester=other_staff, service=service, impact="high", urgency="high")

    body = as_user(api, technician_user).get("/api/tickets/").json()

    assert [t["id"] for t in body["results"]] == [high.pk, low.pk]


def test_filters_search_and_allowed_ordering(api, technician_user, staff_user, service):
    printer = TicketFactory(requester=staff_user, service=service, summary="Printer jammed")
    mail = TicketFactory(requester=staff_user, service=service, summary="Mailbox full", urgency="high")
    services.ticket_take(ticket=mail, by=technician_user)
    api = as_user(api, technician_user)

    def ids(**params):
        response = api.get("/api/tickets/", params)
        assert response.status_code == 200, response.content
        return [t["id"] for t in response.json()["results"]]

    assert ids(status="assigned") == [mail.pk]
    assert ids(status=["new", "assigned"], ordering="created") == [printer.pk, mail.pk]
    assert ids(q="jammed") == [printer.pk]
    assert ids(q=f"INC-{mail.pk:06d}") == [mail.pk]
    assert ids(assignee=technician_user.pk) == [mail.pk]
    assert ids(priority=2) == [mail.pk]
    assert ids(ordering="-created") == [mail.pk, printer.pk]


def test_ordering_outside_the_allow_list_is_refused(api, technician_user, ticket):
    response = as_user(api, technician_user).get("/api/tickets/", {"ordering": "requester__password"})

    assert response.status_code == 400
    assert "ordering" in response.json()


@pytest.mark.parametrize("role_user", ["technician_user", "staff_user"])
def test_list_query_count_does_not_grow_with_rows(api, request, role_user, service, group):
    user = request.getfixturevalue(role_user)
    requester = user if role_user == "staff_user" else UserFactory(role=roles.STAFF)
    technician = UserFactory(role=roles.TECHNICIAN)
    group.members.add(technician)
    api = as_user(api, user)

    def make(n):
        for i in range(n):
            made = TicketFactory(requester=requester, service=service, asset=AssetFactory(site=_dutywa()))
            if i % 2:
                services.ticket_take(ticket=made, by=technician)

    def count_queries():
        # A fresh copy of the user, as each real request has: nothing cached from the last request.
        api.force_authenticate(type(user).objects.get(pk=user.pk))
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/tickets/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    make(5)
    at_five, rows = count_queries()
    assert rows == 5
    make(25)
    at_thirty, rows = count_queries()
    assert rows == 30
    assert at_thirty == at_five
    # The caller's role groups, the count, the page's ids, those tickets with five joined relations,
    # then their assets, agreements and ratings by id (each at most one query, whatever the page holds).
    assert at_five == 7


def test_the_list_json_is_drf_s_own_byte_for_byte(api, monkeypatch, technician_user, staff_user, service):
    """The list writes its tickets as plain dicts (api.TicketListSerializer, for speed); the bytes are
    the same as DRF's field-by-field representation of TicketSerializer, for every kind of ticket and
    every caller (allowed_statuses differ by role), in South African time and in UTC."""
    import datetime

    from django.utils import timezone
    from rest_framework import serializers

    from incidents import api as ticket_api
    from incidents.models import SatisfactionRating

    plain = TicketFactory(requester=staff_user, service=service)
    with_asset = TicketFactory(
        requester=staff_user, service=service, asset=AssetFactory(site=_dutywa()), urgency="high"
    )
    services.ticket_take(ticket=with_asset, by=technician_user)
    rated = TicketFactory(requester=staff_user, service=service, summary='Quotes " and ünïcode <b>')
    SatisfactionRating.objects.create(
        ticket=rated, score=4, comment="Quick, thanks", rated_at=timezone.now() - datetime.timedelta(days=1)
    )
    Ticket.objects.filter(pk=rated.pk).update(
        parent=plain, is_major=True, first_contact=True, request_answers={"floor": 2, "rooms": ["a", "b"]}
    )
    child = TicketFactory(
        requester=UserFactory(role=roles.STAFF, first_name="", last_name=""), service=service
    )
    Ticket.objects.filter(pk=child.pk).update(sla=None, group=None, response_due_at=None)

    def bodies(user, params):
        client = as_user(api, user)
        return [client.get("/api/tickets/", params).content for _ in range(2)]

    for user in (technician_user, staff_user):
        for params in ({}, {"ordering": "-created"}, {"status": "assigned"}):
            for zone in (None, datetime.UTC):  # None: the default, Africa/Johannesburg
                with timezone.override(zone):
                    monkeypatch.setattr(
                        ticket_api.TicketSerializer.Meta, "list_serializer_class", serializers.ListSerializer
                    )
                    drf = bodies(user, params)
                    monkeypatch.undo()
                    fast = bodies(user, params)
                assert fast == drf, (user.username, params, zone)
                assert b'"results":[' in fast[0]
    assert ticket_api.TicketSerializer.Meta.list_serializer_class is ticket_api.TicketListSerializer
    results = as_user(api, technician_user).get("/api/tickets/").json()["results"]
    assert [list(row) for row in results] == [ticket_api.TicketSerializer.Meta.fields] * 4
    assert {row["id"]: row["rating"] for row in results}[rated.pk]["score"] == 4


def test_without_a_filter_parameter_the_filterset_would_change_nothing(technician_user):
    """api.TicketFilterBackend skips building TicketFilter when the query names none of its filters;
    that is only right while every filter passes an empty value through, which this holds it to."""
    from incidents import selectors
    from incidents.api import FILTER_PARAMETERS, TicketFilterBackend, TicketViewSet
    from incidents.filters import TicketFilter

    tickets = selectors.queue_order(Ticket.objects.all())
    filtered = TicketFilter(data={"page": "2"}, queryset=tickets)
    assert filtered.is_valid()
    assert str(filtered.qs.query) == str(tickets.query)
    assert FILTER_PARAMETERS == set(TicketFilter.base_filters) >= {"q", "ordering", "status", "asset"}
    assert TicketViewSet.filter_backends == [TicketFilterBackend]


def _dutywa():
    return Site.objects.get(name="Dutywa Main Building")


# --- logging ---------------------------------------------------------------------------------------------


def new_ticket(service, **extra):
    return {
        "service": service.pk,
        "site": _dutywa().pk,
        "summary": "Monitor is flickering",
        "description": "The screen goes black every few minutes.",
        "impact": "low",
        "urgency": "medium",
        **extra,
    }


def test_staff_logs_a_ticket_for_themselves(api, staff_user, service):
    response = as_user(api, staff_user).post("/api/tickets/", new_ticket(service), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.requester == staff_user
    assert ticket.logged_by == staff_user
    assert ticket.channel == "web"
    assert ticket.priority == 4
    assert body["reference"] == f"INC-{ticket.pk:06d}"
    assert response["Location"].endswith(f"/api/tickets/{ticket.pk}/")
    assert response["ETag"] == '"1"'


def test_the_site_defaults_to_the_requesters_site(api, staff_user, service):
    staff_user.site = Site.objects.get(name="Elliotdale")
    staff_user.save(update_fields=["site"])
    payload = new_ticket(service)
    del payload["site"]

    response = as_user(api, staff_user).post("/api/tickets/", payload, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["site_name"] == "Elliotdale"


def test_without_a_site_anywhere_the_site_is_asked_for(api, staff_user, service):
    payload = new_ticket(service)
    del payload["site"]

    response = as_user(api, staff_user).post("/api/tickets/", payload, format="json")

    assert response.status_code == 400
    assert "site" in response.json()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "extra", [{"requester": "other"}, {"channel": "phone"}, {"channel": "web"}, {"requester": "self"}]
)
def test_staff_may_not_set_requester_or_channel(api, staff_user, other_staff, service, extra):
    value = {"other": other_staff.pk, "self": staff_user.pk}.get(next(iter(extra.values())))
    extra = {key: value or given for key, given in extra.items()}

    response = as_user(api, staff_user).post("/api/tickets/", new_ticket(service, **extra), format="json")

    assert response.status_code == 403
    assert set(extra) <= set(response.json())
    assert not Ticket.objects.exists()


def test_a_technician_logs_a_phone_call_for_a_caller(api, technician_user, staff_user, service):
    payload = new_ticket(service, requester=staff_user.pk, channel="phone")

    response = as_user(api, technician_user).post("/api/tickets/", payload, format="json")

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.requester, ticket.logged_by, ticket.channel) == (staff_user, technician_user, "phone")


def test_rules_of_logging_are_400s_naming_the_field(api, staff_user):
    retired = ServiceFactory(status=Lifecycle.RETIRED)
    elsewhere = AssetFactory()  # at another site

    response = as_user(api, staff_user).post(
        "/api/tickets/", new_ticket(retired, asset=elsewhere.pk), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert "not offered" in body["service"][0]
    assert "not at Dutywa Main Building" in body["asset"][0]
    assert not Ticket.objects.exists()


def test_unknown_choices_are_refused_by_the_serializer(api, staff_user, service):
    response = as_user(api, staff_user).post(
        "/api/tickets/", new_ticket(service, impact="catastrophic"), format="json"
    )

    assert response.status_code == 400
    assert "impact" in response.json()


def test_a_service_request_with_its_answers(api, staff_user):
    field = RequestFieldFactory(key="person_name", label="Name of the new person")
    payload = new_ticket(field.service, kind="request", request_answers={"person_name": "Zola Mvumvu"})

    response = as_user(api, staff_user).post("/api/tickets/", payload, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("REQ-")
    assert body["request_answers"] == {"person_name": "Zola Mvumvu"}
    missing = as_user(api, staff_user).post(
        "/api/tickets/", {**payload, "request_answers": {}}, format="json"
    )
    assert missing.status_code == 400
    assert "answers.person_name" in missing.json()


# --- changing --------------------------------------------------------------------------------------------


def test_support_patches_classification_and_the_priority_follows(api, technician_user, ticket):
    response = as_user(api, technician_user).patch(
        url(ticket), {"impact": "high", "urgency": "high"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["priority"] == 1
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'


def test_support_patches_site_asset_assignment_and_status_in_one_go(api, technician_user, ticket, group):
    elliotdale = Site.objects.get(name="Elliotdale")
    asset = AssetFactory(site=elliotdale)

    response = as_user(api, technician_user).patch(
        url(ticket),
        {"site": elliotdale.pk, "asset": asset.pk, "assignee": technician_user.pk, "status": "in_progress"},
        format="json",
    )

    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert (ticket.site, ticket.asset, ticket.assignee, ticket.status) == (
        elliotdale,
        asset,
        technician_user,
        Status.IN_PROGRESS,
    )


def test_a_patch_is_all_or_nothing(api, technician_user, ticket):
    before = snapshot(ticket)

    # The impact is fine, the status move is not: nothing is saved.
    response = as_user(api, technician_user).patch(
        url(ticket), {"impact": "high", "status": "reopened"}, format="json"
    )

    assert response.status_code == 400
    assert snapshot(ticket) == before


def test_resolving_by_patch_needs_the_resolution(api, technician_user, ticket):
    api = as_user(api, technician_user)

    refused = api.patch(url(ticket), {"status": "resolved"}, format="json")
    assert refused.status_code == 400
    assert "resolution_code" in refused.json()

    resolved = api.patch(
        url(ticket),
        {"status": "resolved", "resolution_code": "fixed", "resolution_note": "Replaced the cable."},
        format="json",
    )
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["resolution_note"] == "Replaced the cable."


def test_status_details_without_a_status_are_refused(api, technician_user, ticket):
    response = as_user(api, technician_user).patch(url(ticket), {"pending_reason": "user"}, format="json")

    assert response.status_code == 400
    assert "pending_reason" in response.json()


def test_put_and_delete_are_not_offered(api, technician_user, ticket):
    api = as_user(api, technician_user)

    assert api.put(url(ticket), {"impact": "high"}, format="json").status_code == 405
    assert api.delete(url(ticket)).status_code == 405


# --- mass assignment -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"status": "closed"},
        {"status": "in_progress"},
        {"assignee": "technician"},
        {"group": "group"},
        {"impact": "high"},
        {"service": "service"},
        {"priority": 1},
        {"response_due_at": "2030-01-01T08:00:00Z"},
        {"resolution_due_at": "2030-01-01T08:00:00Z"},
        {"requester": "other"},
        {"summary": "Changed"},
        {"version": 99, "status": "in_progress"},
        {"version": 1, "priority": 1},
        {"id": 999},
        {"reference": "INC-999999"},
        {"handovers": 0},
    ],
)
def test_a_requester_cannot_set_fields(
    api, staff_user, other_staff, technician_user, group, service, ticket, change
):
    names = {"technician": technician_user.pk, "group": group.pk, "other": other_staff.pk}
    names["service"] = ServiceFactory().pk
    change = {
        key: names.get(value, value) if isinstance(value, str) else value for key, value in change.items()
    }
    before = snapshot(ticket)

    response = as_user(api, staff_user).patch(url(ticket), change, format="json")

    assert response.status_code in (400, 403), response.content
    refused = set(change) - {"version"}
    assert refused <= set(response.json()), response.json()
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    "change",
    [
        {"priority": 1},
        {"requester": None},
        {"response_due_at": "2030-01-01T08:00:00Z"},
        {"description": "Rewritten"},
        {"kind": "request"},
        {"parent": None},
        {"nonsense": 1},
    ],
)
def test_support_cannot_set_read_only_fields_either(api, technician_user, ticket, change):
    before = snapshot(ticket)

    response = as_user(api, technician_user).patch(url(ticket), {**change, "impact": "high"}, format="json")

    assert response.status_code == 400
    assert set(change) <= set(response.json())
    assert snapshot(ticket) == before


def test_a_requester_is_told_where_their_own_moves_are(api, staff_user, ticket):
    response = as_user(api, staff_user).patch(url(ticket), {"status": "closed"}, format="json")

    assert response.status_code == 403
    assert "/transition/" in response.json()["status"][0]


def test_a_list_body_is_refused(api, technician_user, ticket):
    response = as_user(api, technician_user).patch(url(ticket), [{"impact": "high"}], format="json")

    assert response.status_code == 400


# --- the lifecycle through the API -----------------------------------------------------------------------


def put_in(status, ticket, technician):
    """Walk a ticket to `status` through the services, the way it gets there in real life."""
    resolve = {"resolution_code": "fixed", "resolution_note": "Done."}
    walk = {
        Status.NEW: [],
        Status.ASSIGNED: [("assign",)],
        Status.IN_PROGRESS: [(Status.IN_PROGRESS, {})],
        Status.PENDING: [(Status.PENDING, {"pending_reason": "user"})],
        Status.RESOLVED: [(Status.RESOLVED, resolve)],
        Status.REOPENED: [(Status.RESOLVED, resolve), (Status.REOPENED, {})],
        Status.CLOSED: [(Status.RESOLVED, resolve), (Status.CLOSED, {})],
    }[status]
    for step in walk:
        if step == ("assign",):
            ticket = services.ticket_assign(ticket=ticket, by=technician, assignee=technician)
        else:
            ticket = services.ticket_change_status(ticket=ticket, to=step[0], by=technician, **step[1])
    assert ticket.status == status
    return ticket


EXTRA = {
    Status.PENDING: {"pending_reason": "third_party"},
    Status.RESOLVED: {"resolution_code": "workaround", "resolution_note": "Use the other printer."},
}


@pytest.mark.parametrize(
    ("start", "to"), [(start, to) for start in Status.values for to in Status.values if start != to]
)
def test_support_transitions_follow_the_table(api, technician_user, ticket, start, to):
    ticket = put_in(start, ticket, technician_user)
    before = snapshot(ticket)

    response = as_user(api, technician_user).post(
        url(ticket, "transition/"), {"status": to, **EXTRA.get(to, {})}, format="json"
    )

    step = TRANSITIONS.get((start, to))
    if step is not None and SUPPORT in step.by:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == to
    else:
        assert response.status_code == 400, response.content
        assert "cannot become" in response.json()["status"][0]
        assert snapshot(ticket) == before


def test_requester_confirms_reopens_and_withdraws(api, staff_user, technician_user, service):
    api = as_user(api, staff_user)
    resolved = put_in(Status.RESOLVED, TicketFactory(requester=staff_user, service=service), technician_user)
    assert api.post(url(resolved, "transition/"), {"status": "reopened"}).status_code == 200
    closed = put_in(Status.RESOLVED, TicketFactory(requester=staff_user, service=service), technician_user)
    assert api.post(url(closed, "transition/"), {"status": "closed"}).status_code == 200
    withdrawn = TicketFactory(requester=staff_user, service=service)
    response = api.post(url(withdrawn, "transition/"), {"status": "closed", "note": "Sorted itself out."})
    assert response.status_code == 200
    assert response.json()["resolution_code"] == "withdrawn"


def test_requester_cannot_make_support_moves(api, staff_user, ticket):
    before = snapshot(ticket)

    response = as_user(api, staff_user).post(url(ticket, "transition/"), {"status": "in_progress"})

    assert response.status_code == 403
    assert "You cannot start work" in response.json()["detail"]
    assert snapshot(ticket) == before


def test_assign_and_take(api, technician_user, manager_user, ticket, group):
    api = as_user(api, technician_user)

    taken = api.post(url(ticket, "take/"), {"version": ticket.version}, format="json")
    assert taken.status_code == 200, taken.content
    assert taken.json()["assignee"] == technician_user.pk
    assert taken.json()["status"] == "assigned"

    assigned = api.post(
        url(ticket, "assign/"),
        {"assignee": manager_user.pk, "version": taken.json()["version"]},
        format="json",
    )
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assignee"] == manager_user.pk
    ticket.refresh_from_db()
    assert ticket.handovers == 1


def test_a_ticket_someone_else_has_is_not_taken_whatever_the_version(
    api, technician_user, manager_user, ticket, group
):
    services.ticket_take(ticket=ticket, by=manager_user)
    before = snapshot(ticket)
    api = as_user(api, technician_user)

    taken = api.post(url(ticket, "take/"), {"version": 2}, format="json")

    assert taken.status_code == 409, taken.content
    assert "is already with" in taken.json()["detail"]
    assert taken.json()["version"] == 2
    assert snapshot(ticket) == before
    # Taking it over is an assignment, a handover.
    over = api.post(url(ticket, "assign/"), {"assignee": technician_user.pk, "version": 2}, format="json")
    assert over.status_code == 200, over.content
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.handovers) == (technician_user, 1)


def test_taking_ones_own_ticket_again_changes_nothing(api, technician_user, ticket, group):
    services.ticket_take(ticket=ticket, by=technician_user)
    before = snapshot(ticket)

    again = as_user(api, technician_user).post(url(ticket, "take/"), {"version": 2}, format="json")

    assert again.status_code == 200, again.content
    assert snapshot(ticket) == before


def test_assign_needs_someone_and_a_support_person(api, technician_user, staff_user, ticket):
    api = as_user(api, technician_user)

    assert api.post(url(ticket, "assign/"), {}, format="json").status_code == 400
    not_support = api.post(url(ticket, "assign/"), {"assignee": staff_user.pk}, format="json")
    assert not_support.status_code == 400
    assert "not on the ICT service desk" in not_support.json()["assignee"][0]


# --- optimistic concurrency ------------------------------------------------------------------------------


def test_a_stale_version_is_a_409_and_changes_nothing(api, technician_user, manager_user, ticket):
    services.ticket_take(ticket=ticket, by=manager_user)  # someone else moved it on: version 2
    before = snapshot(ticket)

    response = as_user(api, technician_user).patch(
        url(ticket), {"impact": "high", "version": 1}, format="json"
    )

    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    assert response.json()["version"] == 2
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("", {"impact": "high"}),
        ("transition/", {"status": "in_progress"}),
        ("assign/", {"assignee": "me"}),
        ("take/", {}),
        ("comments/", {"body": "On my way."}),
    ],
)
def test_if_match_is_honoured_everywhere(api, technician_user, manager_user, ticket, path, payload):
    payload = {key: technician_user.pk if value == "me" else value for key, value in payload.items()}
    services.ticket_update(ticket=ticket, by=manager_user, urgency="high")  # moved on: version 2, unassigned
    before = snapshot(ticket)
    api = as_user(api, technician_user)
    send = api.patch if path == "" else api.post

    stale = send(url(ticket, path), payload, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409, stale.content
    assert snapshot(ticket) == before

    fresh = send(url(ticket, path), payload, format="json", HTTP_IF_MATCH='"2"')
    assert fresh.status_code in (200, 201), fresh.content


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("", {"impact": "high"}),
        ("", {}),
        ("transition/", {"status": "in_progress"}),
        ("assign/", {"assignee": "me"}),
        ("take/", {}),
        ("comments/", {"body": "On my way."}),
        ("attachments/", "file"),
    ],
)
@pytest.mark.parametrize("if_match", [None, "*", ""])
def test_a_change_without_a_version_is_a_428_and_changes_nothing(
    technician_user, ticket, path, payload, if_match
):
    """Issue 16: two technicians POSTing take/ with {} at once both got 200, the first then lost the ticket
    to the second. A change must say which version it was made from (RFC 6585)."""
    before = snapshot(ticket)
    api = as_user(APIClient(), technician_user)  # a client that sends only what the test says
    extra = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    if payload == "file":
        body, encoding = {"files": [SimpleUploadedFile("note.txt", b"the serial is 123")]}, "multipart"
    else:
        body, encoding = {k: technician_user.pk if v == "me" else v for k, v in payload.items()}, "json"
    send = api.patch if path == "" else api.post

    response = send(url(ticket, path), body, format=encoding, **extra)

    assert response.status_code == 428, response.content
    assert response["Content-Type"] == "application/json"
    assert "version" in response.json()["detail"]
    assert snapshot(ticket) == before
    assert not ticket.comments.exists() and not ticket.attachments.exists()


def test_version_and_if_match_must_agree(api, technician_user, ticket):
    response = as_user(api, technician_user).patch(
        url(ticket), {"impact": "high", "version": 1}, format="json", HTTP_IF_MATCH='"2"'
    )

    assert response.status_code == 400
    assert "version" in response.json()


def test_a_current_version_goes_through_and_moves_on(api, technician_user, ticket):
    api = as_user(api, technician_user)

    first = api.patch(url(ticket), {"impact": "high", "version": 1}, format="json")
    again = api.patch(url(ticket), {"urgency": "high", "version": 1}, format="json")

    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert again.status_code == 409


def test_a_requester_playing_with_the_version_changes_nothing(api, staff_user, ticket):
    before = snapshot(ticket)
    api = as_user(api, staff_user)

    assert api.patch(url(ticket), {"version": 99}, format="json").status_code == 409
    assert api.patch(url(ticket), {"version": 0}, format="json").status_code == 400
    assert api.patch(url(ticket), {"version": 1}, format="json").status_code == 200
    assert snapshot(ticket) == before


def test_a_pending_ticket_resumes_when_the_requester_replies(api, staff_user, technician_user, ticket):
    put_in(Status.PENDING, ticket, technician_user)

    response = as_user(api, staff_user).post(url(ticket, "comments/"), {"body": "Here is the serial."})

    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


# --- the schema ------------------------------------------------------------------------------------------


def test_the_schema_describes_bodies_of_every_ticket_endpoint(client, staff_user):
    client.force_login(staff_user)

    schema = yaml.safe_load(client.get("/api/schema/").content)

    paths = schema["paths"]
    body = {
        (path, method): operation.get("requestBody", {}).get("content", {})
        for path, operations in paths.items()
        for method, operation in operations.items()
    }
    assert "application/json" in body[("/api/tickets/", "post")]
    assert "application/json" in body[("/api/tickets/{id}/", "patch")]
    assert "multipart/form-data" in body[("/api/tickets/{id}/attachments/", "post")]
    assert "multipart/form-data" in body[("/api/tickets/{id}/comments/", "post")]
    for action in ("transition", "assign", "take", "rating"):
        assert "application/json" in body[(f"/api/tickets/{{id}}/{action}/", "post")], action
    assert "put" not in paths["/api/tickets/{id}/"]
    assert "delete" not in paths["/api/tickets/{id}/"]
    responses = paths["/api/tickets/{id}/"]["patch"]["responses"]
    assert {"200", "400", "403", "409"} <= set(responses)
    list_parameters = {p["name"] for p in paths["/api/tickets/"]["get"]["parameters"]}
    assert {"status", "priority", "site", "town", "service", "group", "assignee", "q", "ordering"} <= (
        list_parameters
    )
    ticket = schema["components"]["schemas"]["Ticket"]["properties"]
    assert not AGREED_FIELDS - set(ticket)
