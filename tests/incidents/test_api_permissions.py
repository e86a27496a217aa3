"""Who may do what through /api/tickets/: each role x each endpoint, on the staff member's own ticket.

A ticket the caller may not see is a 404 (its existence is not confirmed); one they may see but not change
in that way is a 403; anonymous callers and people without a role are refused before anything is read.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalogue.models import SupportGroup
from common import access as roles
from incidents import services
from incidents.models import Comment, SatisfactionRating, Status, Ticket
from sites.models import Site
from tests.factories import ServiceFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

OWNER, OTHER, TECH, MANAGER, ADMIN, ANON, NO_ROLE = (
    "owner",
    "other staff",
    "technician",
    "manager",
    "admin",
    "anonymous",
    "no role",
)
SUPPORT = (TECH, MANAGER, ADMIN)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(staff_user, technician_user, manager_user, admin_role_user):
    SupportGroup.objects.get(name="Desktop and Printing").members.add(technician_user)
    return {
        OWNER: staff_user,
        OTHER: UserFactory(username="ayanda", role=roles.STAFF),
        TECH: technician_user,
        MANAGER: manager_user,
        ADMIN: admin_role_user,
        ANON: None,
        NO_ROLE: UserFactory(username="newcomer"),
    }


@pytest.fixture
def ticket(people):
    service = ServiceFactory(support_group=SupportGroup.objects.get(name="Desktop and Printing"))
    return TicketFactory(requester=people[OWNER], service=service)


def client_for(user):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def new_ticket_payload(ticket):
    return {
        "service": ticket.service_id,
        "site": Site.objects.get(name="Dutywa Main Building").pk,
        "summary": "Phone has no dial tone",
        "description": "Extension 214 is dead.",
        "impact": "low",
        "urgency": "high",
    }


def call(api, operation, ticket, people):
    """One operation, as a client that read the ticket first: changes name its version (If-Match)."""
    base = f"/api/tickets/{ticket.pk}/"
    api.credentials(HTTP_IF_MATCH=f'"{ticket.version}"')
    if operation == "list":
        return api.get("/api/tickets/")
    if operation == "detail":
        return api.get(base)
    if operation == "create":
        return api.post("/api/tickets/", new_ticket_payload(ticket), format="json")
    if operation == "patch":
        return api.patch(base, {"impact": "high"}, format="json")
    if operation == "comments":
        return api.get(base + "comments/")
    if operation == "reply":
        return api.post(base + "comments/", {"body": "Any news?"}, format="json")
    if operation == "attachments":
        return api.get(base + "attachments/")
    if operation == "upload":
        return api.post(
            base + "attachments/", {"files": [SimpleUploadedFile("shot.png", PNG)]}, format="multipart"
        )
    if operation == "transition":
        return api.post(base + "transition/", {"status": "in_progress"}, format="json")
    if operation == "assign":
        return api.post(base + "assign/", {"assignee": people[TECH].pk}, format="json")
    if operation == "take":
        return api.post(base + "take/", {}, format="json")
    if operation == "rating":
        return api.post(base + "rating/", {"score": 5}, format="json")
    raise AssertionError(operation)


REFUSED_ANONYMOUS = {401, 403}
# operation -> expected status per role (on a new ticket the owner logged). Rating a *new* ticket is a rule
# refusal (400) for its requester; resolved tickets are rated in the tests below.
MATRIX = {
    "list": {OWNER: 200, OTHER: 200, TECH: 200, MANAGER: 200, ADMIN: 200, NO_ROLE: 403},
    "detail": {OWNER: 200, OTHER: 404, TECH: 200, MANAGER: 200, ADMIN: 200, NO_ROLE: 403},
    "create": {OWNER: 201, OTHER: 201, TECH: 201, MANAGER: 201, ADMIN: 201, NO_ROLE: 403},
    "patch": {OWNER: 403, OTHER: 404, TECH: 200, MANAGER: 200, ADMIN: 200, NO_ROLE: 403},
    "comments": {OWNER: 200, OTHER: 404, TECH: 200, MANAGER: 200, ADMIN: 200, NO_ROLE: 403},
    "reply": {OWNER: 201, OTHER: 404, TECH: 201, MANAGER: 201, ADMIN: 201, NO_ROLE: 403},
    "attachments": {OWNER: 200, OTHER: 404, TECH: 200, MANAGER: 200, ADMIN: 200, NO_ROLE: 403},
    "upload": {OWNER: 201, OTHER: 404, TECH: 201, MANAGER: 201, ADMIN: 201, NO_ROLE: 403},
    "transition": {OWNER: 403, OTHER: 404, TECH: 200, MANAGER: 200, ADMIN: 200, NO_ROLE: 403},
    "assign": {OWNER: 403, OTHER: 404, TECH: 200, MANAGER: 200, ADMIN: 200, NO_ROLE: 403},
    "take": {OWNER: 403, OTHER: 404, TECH: 200, MANAGER: 200, ADMIN: 200, NO_ROLE: 403},
    "rating": {OWNER: 400, OTHER: 404, TECH: 403, MANAGER: 403, ADMIN: 403, NO_ROLE: 403},
}
CASES = [(op, role) for op in MATRIX for role in (OWNER, OTHER, TECH, MANAGER, ADMIN, ANON, NO_ROLE)]


@pytest.mark.parametrize(("operation", "role"), CASES, ids=[f"{op}-{role}" for op, role in CASES])
def test_permission_matrix(people, ticket, operation, role):
    expected = MATRIX[operation].get(role)

    response = call(client_for(people[role]), operation, ticket, people)

    if role == ANON:
        assert response.status_code in REFUSED_ANONYMOUS, response.content
    else:
        assert response.status_code == expected, response.content
    if response.status_code == 404:
        # Nothing about the ticket leaks in the answer.
        assert ticket.summary not in response.content.decode()
    if response.status_code >= 400 and operation not in ("list", "detail", "comments", "attachments"):
        fresh = Ticket.objects.get(pk=ticket.pk)
        assert fresh.version == ticket.version
        assert Ticket.objects.count() == 1


def test_lists_are_scoped(people, ticket):
    theirs = TicketFactory(requester=people[OTHER], service=ticket.service)

    def ids(role):
        return {t["id"] for t in client_for(people[role]).get("/api/tickets/").json()["results"]}

    assert ids(OWNER) == {ticket.pk}
    assert ids(OTHER) == {theirs.pk}
    for role in SUPPORT:
        assert ids(role) == {ticket.pk, theirs.pk}


@pytest.fixture
def resolved(people, ticket):
    return services.ticket_change_status(
        ticket=ticket, to=Status.RESOLVED, by=people[TECH], resolution_code="fixed", resolution_note="Done."
    )


def test_the_requester_rates_once(people, resolved):
    api = client_for(people[OWNER])
    url = f"/api/tickets/{resolved.pk}/rating/"

    first = api.post(url, {"score": 4, "comment": "Quick, thanks."}, format="json")
    second = api.post(url, {"score": 1}, format="json")

    assert first.status_code == 201
    assert first.json()["score"] == 4
    assert second.status_code == 400
    assert "rated already" in second.json()["score"][0]
    assert SatisfactionRating.objects.get(ticket=resolved).score == 4
    assert client_for(people[OWNER]).get(f"/api/tickets/{resolved.pk}/").json()["rating"]["score"] == 4


@pytest.mark.parametrize("score", [0, 6, "five"])
def test_a_rating_out_of_range_is_refused(people, resolved, score):
    response = client_for(people[OWNER]).post(
        f"/api/tickets/{resolved.pk}/rating/", {"score": score}, format="json"
    )

    assert response.status_code == 400
    assert not SatisfactionRating.objects.exists()


@pytest.mark.parametrize("role", [OTHER, *SUPPORT])
def test_nobody_else_rates(people, resolved, role):
    response = client_for(people[role]).post(
        f"/api/tickets/{resolved.pk}/rating/", {"score": 5}, format="json"
    )

    assert response.status_code == (404 if role == OTHER else 403)
    assert not SatisfactionRating.objects.exists()


def test_a_hidden_ticket_is_404_on_every_nested_route(people, ticket):
    api = client_for(people[OTHER])
    attachment = services.ticket_attach(
        ticket=ticket, by=people[OWNER], files=[SimpleUploadedFile("a.png", PNG)]
    )[0]

    for path in ("", "comments/", "attachments/", f"attachments/{attachment.pk}/download/"):
        assert api.get(f"/api/tickets/{ticket.pk}/{path}").status_code == 404, path
    for path in ("transition/", "assign/", "take/", "rating/", "comments/"):
        assert api.post(f"/api/tickets/{ticket.pk}/{path}", {}, format="json").status_code == 404, path
    assert not Comment.objects.exists()


def test_a_missing_ticket_is_404_not_500(people):
    api = client_for(people[TECH])

    assert api.get("/api/tickets/999999/").status_code == 404
    assert api.get("/api/tickets/not-a-number/").status_code == 404
