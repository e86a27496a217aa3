"""/api/tickets/{id}/comments/ and /attachments/: internal notes and files hidden from requesters, upload
limits and content checks, and downloads that a browser never renders."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tokens import api_token_issue
from catalogue.models import SupportGroup
from common import access as roles
from incidents import services
from incidents.models import Attachment, Comment, Status
from tests.factories import ServiceFactory, TicketFactory, UserFactory
from tests.incidents.clients import ReadThenChangeClient

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ticket(staff_user, technician_user):
    group = SupportGroup.objects.get(name="Desktop and Printing")
    group.members.add(technician_user)
    return TicketFactory(requester=staff_user, service=ServiceFactory(support_group=group))


def client_for(user):
    api = ReadThenChangeClient()  # sends the ticket's version, as the pages do
    api.force_authenticate(user)
    return api


def upload(name, data):
    return SimpleUploadedFile(name, data)


def url(ticket, tail):
    return f"/api/tickets/{ticket.pk}/{tail}"


# --- comments --------------------------------------------------------------------------------------------


def test_requester_never_sees_internal_notes(ticket, staff_user, technician_user):
    services.ticket_comment(ticket=ticket, by=technician_user, body="Looking at it now.")
    services.ticket_comment(ticket=ticket, by=technician_user, body="User is rude; careful.", internal=True)

    mine = client_for(staff_user).get(url(ticket, "comments/")).json()
    theirs = client_for(technician_user).get(url(ticket, "comments/")).json()

    assert [c["body"] for c in mine["results"]] == ["Looking at it now."]
    assert [(c["body"], c["internal"]) for c in theirs["results"]] == [
        ("Looking at it now.", False),
        ("User is rude; careful.", True),
    ]


def test_support_writes_an_internal_note(ticket, technician_user):
    response = client_for(technician_user).post(
        url(ticket, "comments/"), {"body": "Ordered a toner.", "internal": True}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["internal"] is True
    assert Comment.objects.get().internal


def test_a_requester_cannot_write_an_internal_note(ticket, staff_user):
    response = client_for(staff_user).post(
        url(ticket, "comments/"), {"body": "Psst", "internal": True}, format="json"
    )

    assert response.status_code == 403
    assert "internal notes" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_an_empty_reply_is_refused(ticket, staff_user):
    response = client_for(staff_user).post(url(ticket, "comments/"), {"body": "   "}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()


def test_a_reply_with_files_as_multipart(ticket, staff_user):
    response = client_for(staff_user).post(
        url(ticket, "comments/"),
        {
            "body": "The error message:",
            "files": [upload("error.png", PNG), upload("log.txt", b"E42 at 09:00")],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert [a["name"] for a in response.json()["attachments"]] == ["error.png", "log.txt"]


def test_a_reply_on_a_closed_ticket_is_refused(ticket, staff_user):
    services.ticket_change_status(ticket=ticket, to=Status.CLOSED, by=staff_user)

    response = client_for(staff_user).post(url(ticket, "comments/"), {"body": "Hello?"}, format="json")

    assert response.status_code == 400
    assert "closed" in response.json()["body"][0]


def test_attachments_on_internal_notes_are_hidden_from_the_requester(ticket, staff_user, technician_user):
    services.ticket_comment(
        ticket=ticket, by=technician_user, body="Screenshot of the admin console", internal=True,
        files=[upload("console.png", PNG)],
    )  # fmt: skip
    hidden = Attachment.objects.get()

    comments = client_for(staff_user).get(url(ticket, "comments/")).json()
    files = client_for(staff_user).get(url(ticket, "attachments/")).json()
    download = client_for(staff_user).get(url(ticket, f"attachments/{hidden.pk}/download/"))

    assert comments["count"] == 0
    assert files["count"] == 0
    assert download.status_code == 404
    assert client_for(technician_user).get(url(ticket, "attachments/")).json()["count"] == 1


# --- attachments -----------------------------------------------------------------------------------------


def test_upload_list_and_download(ticket, staff_user):
    api = client_for(staff_user)

    created = api.post(
        url(ticket, "attachments/"),
        {"files": [upload("../../etc/quote.pdf", PDF), upload("photo.png", PNG)]},
        format="multipart",
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert [(a["name"], a["content_type"], a["size"]) for a in body] == [
        ("quote.pdf", "application/pdf", len(PDF)),
        ("photo.png", "image/png", len(PNG)),
    ]
    listed = api.get(url(ticket, "attachments/")).json()
    assert [a["id"] for a in listed["results"]] == [a["id"] for a in body]
    download = api.get(body[0]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="quote.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert "sandbox" in download["Content-Security-Policy"]


def test_the_download_url_works_with_a_token(ticket, staff_user):
    # API clients sign in with tokens, which the pages' session-only download view would not accept.
    attachment = services.ticket_attach(ticket=ticket, by=staff_user, files=[upload("a.png", PNG)])[0]
    token, _expiry = api_token_issue(user=staff_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    body = api.get(url(ticket, "attachments/")).json()
    download = api.get(body["results"][0]["download_url"])

    assert body["results"][0]["download_url"] == (
        f"http://testserver/api/tickets/{ticket.pk}/attachments/{attachment.pk}/download/"
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_a_download_answers_a_specific_accept_header(ticket, staff_user):
    attachment = services.ticket_attach(ticket=ticket, by=staff_user, files=[upload("a.pdf", PDF)])[0]

    response = client_for(staff_user).get(
        url(ticket, f"attachments/{attachment.pk}/download/"), HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_another_tickets_file_is_not_reachable_through_this_ticket(ticket, staff_user):
    other = TicketFactory(requester=staff_user, service=ticket.service)
    attachment = services.ticket_attach(ticket=other, by=staff_user, files=[upload("a.png", PNG)])[0]

    response = client_for(staff_user).get(url(ticket, f"attachments/{attachment.pk}/download/"))

    assert response.status_code == 404


def test_an_oversize_file_is_413_with_the_limit(settings, ticket, staff_user):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024

    response = client_for(staff_user).post(
        url(ticket, "attachments/"),
        {"files": [upload("big.txt", b"x" * (1024 * 1024 + 1))]},
        format="multipart",
    )

    assert response.status_code == 413
    assert response.json()["files"] == ["big.txt is larger than 1 MB."]
    assert not Attachment.objects.exists()


def test_too_many_files_at_once(settings, ticket, staff_user):
    settings.ATTACHMENT_MAX_FILES = 2

    response = client_for(staff_user).post(
        url(ticket, "attachments/"),
        {"files": [upload(f"{n}.png", PNG) for n in range(3)]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "At most 2 files" in response.json()["files"][0]
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("invoice.pdf", b"MZ\x90\x00 this is a program", "does not match"),
        ("notes.txt", b"<script>alert(1)</script>", "does not match"),
        ("photo.png", b"%PDF-1.4 really a pdf", "does not match"),
        ("setup.exe", b"MZ\x90\x00", "cannot be attached"),
        ("page.html", b"<html></html>", "cannot be attached"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_content_is_checked_not_only_the_name(ticket, staff_user, name, data, words):
    response = client_for(staff_user).post(
        url(ticket, "attachments/"), {"files": [upload(name, data)]}, format="multipart"
    )

    assert response.status_code == 400, response.content
    assert words in response.json()["files"][0]
    assert not Attachment.objects.exists()


def test_an_upload_without_files_is_refused(ticket, staff_user):
    response = client_for(staff_user).post(url(ticket, "attachments/"), {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["files"] == ["Choose at least one file."]


def test_json_is_not_an_upload(ticket, staff_user):
    response = client_for(staff_user).post(url(ticket, "attachments/"), {"files": []}, format="json")

    assert response.status_code == 415


def test_a_requester_cannot_upload_internal_files(ticket, staff_user):
    response = client_for(staff_user).post(
        url(ticket, "attachments/"), {"files": [upload("a.png", PNG)], "internal": True}, format="multipart"
    )

    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_internal_files_from_support_stay_internal(ticket, staff_user, technician_user):
    created = client_for(technician_user).post(
        url(ticket, "attachments/"), {"files": [upload("cfg.txt", b"vlan 20")], "internal": True},
        format="multipart",
    )  # fmt: skip

    assert created.status_code == 201, created.content
    attachment_id = created.json()[0]["id"]
    assert client_for(staff_user).get(url(ticket, "attachments/")).json()["count"] == 0
    assert (
        client_for(staff_user).get(url(ticket, f"attachments/{attachment_id}/download/")).status_code == 404
    )
    manager = UserFactory(username="manager2", role=roles.MANAGER)
    assert client_for(manager).get(url(ticket, f"attachments/{attachment_id}/download/")).status_code == 200


def test_a_closed_ticket_takes_no_files(ticket, staff_user):
    services.ticket_change_status(ticket=ticket, to=Status.CLOSED, by=staff_user)

    response = client_for(staff_user).post(
        url(ticket, "attachments/"), {"files": [upload("a.png", PNG)]}, format="multipart"
    )

    assert response.status_code == 400
    assert "closed" in response.json()["files"][0]


def test_a_file_name_with_markup_is_cleaned(ticket, staff_user):
    name = '<img src=x onerror="alert(1)">.png'

    response = client_for(staff_user).post(
        url(ticket, "attachments/"), {"files": [upload(name, PNG)]}, format="multipart"
    )

    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()[0]["name"] == "_img src=x onerror=_alert(1)__.png"
