"""Items 4 and 5: files that a browser would run, oversize files, too many files and path tricks in names.

Through the API (POST /api/tickets/<id>/attachments/) and the ticket page's reply form, as the requester
of the ticket: refused with a 400 (413 for size) naming the problem, nothing stored; what is accepted is
stored under a random name inside MEDIA_ROOT and served only as a download with nosniff and a sandboxing
Content-Security-Policy.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from incidents.models import Attachment

from .conftest import PNG, database_fingerprint

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

REFUSED = {
    "evil.svg": SVG,
    "evil.svgz": SVG,
    "page.html": HTML,
    "page.htm": HTML,
    "page.xhtml": HTML,
    "picture.png": HTML,  # HTML named .png
    "picture.jpg": SVG,  # SVG named .jpg
    "notes.txt": HTML,  # HTML named .txt
    "notes.txt ": HTML,
    "report.pdf.html": HTML,  # double extension ending in a runnable type
    "invoice.html.pdf": HTML,  # double extension, content is not a PDF
    "photo.png.svg": SVG,
    "script.js": b"alert(1)",
    "macro.docm": b"PK\x03\x04 not really",
    "logo.svg.png": SVG,
    "data.csv": b"<script>alert(1)</script>",
    "feed.xml": b'<?xml version="1.0"?><x/>',
    "shell.php": b"<?php system($_GET['c']); ?>",
    "empty.png": b"",
}


@pytest.fixture
def api(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(world.attacker)
    return client


def upload(api, ticket, *files):
    ticket.refresh_from_db(fields=["version"])  # as a client that read the ticket first
    return api.post(
        f"/api/tickets/{ticket.pk}/attachments/",
        {"files": [SimpleUploadedFile(name, data) for name, data in files], "version": ticket.version},
        format="multipart",
    )


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_files_a_browser_would_run_are_refused_and_nothing_is_stored(world, api, name):
    before = database_fingerprint(world.media_root)
    response = upload(api, world.own_ticket, (name, REFUSED[name]))
    assert response.status_code == 400, response.content
    assert "files" in response.json()
    assert database_fingerprint(world.media_root) == before


def test_one_bad_file_among_good_ones_stores_none_of_them(world, api):
    before = database_fingerprint(world.media_root)
    response = upload(api, world.own_ticket, ("fine.png", PNG), ("evil.svg", SVG))
    assert response.status_code == 400
    assert database_fingerprint(world.media_root) == before


def test_an_oversize_file_is_a_413(world, api, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    before = database_fingerprint(world.media_root)
    response = upload(api, world.own_ticket, ("big.png", PNG + b"\x00" * 2048))
    assert response.status_code == 413
    assert "larger than" in str(response.json())
    assert database_fingerprint(world.media_root) == before


def test_too_many_files_is_a_400(world, api, settings):
    before = database_fingerprint(world.media_root)
    files = [(f"p{n}.png", PNG) for n in range(settings.ATTACHMENT_MAX_FILES + 1)]
    response = upload(api, world.own_ticket, *files)
    assert response.status_code == 400
    assert "At most" in str(response.json())
    assert database_fingerprint(world.media_root) == before


def test_a_request_body_beyond_the_servers_limit_is_refused(world, api, settings):
    """Django's own ceiling on a request's non-file fields (DATA_UPLOAD_MAX_MEMORY_SIZE) answers 400."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.post(
        f"/api/tickets/{world.own_ticket.pk}/comments/",
        {"body": "x" * 4096, "version": world.own_ticket.version},
        format="json",
    )
    assert response.status_code in (400, 413)


TRICKY_NAMES = (
    "../../../../etc/cron.d/evil.png",
    "..\\..\\..\\windows\\system32\\evil.png",
    "/etc/passwd.png",
    "C:\\boot.png",
    "....//....//evil.png",
    "%2e%2e%2fevil.png",
    'quote"; filename=evil.html.png',
    "new\r\nline.png",
    "nul\x00byte.png",
)


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_path_tricks_in_names_never_leave_attachment_storage(world, api, tmp_path, name):
    outside_before = sorted(str(p) for p in tmp_path.rglob("*") if world.media_root not in p.parents)
    response = upload(api, world.own_ticket, (name, PNG))
    assert response.status_code in (201, 400)
    if response.status_code == 201:
        attachment = Attachment.objects.get(pk=response.json()[0]["id"])
        stored = (world.media_root / attachment.file.name).resolve()
        assert world.media_root.resolve() in stored.parents
        assert stored.name.isalnum() and len(stored.name) == 32  # a random name, never the user's
        assert "/" not in attachment.original_name and "\\" not in attachment.original_name
        assert ".." not in attachment.original_name.split(".")[0] or attachment.original_name.startswith(".")
        assert not any(ch in attachment.original_name for ch in '\r\n\x00"')
        download = api.get(f"/api/tickets/{world.own_ticket.pk}/attachments/{attachment.pk}/download/")
        assert "\r" not in download["Content-Disposition"] and "\n" not in download["Content-Disposition"]
    outside_after = sorted(str(p) for p in tmp_path.rglob("*") if world.media_root not in p.parents)
    assert outside_after == outside_before


POLYGLOT = PNG + b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize("via", ["page", "api"])
def test_what_is_accepted_is_served_only_as_a_download_that_cannot_run(world, api, via):
    """A PNG that also holds HTML is a valid PNG: it is kept, and served so that no browser renders it."""
    response = upload(api, world.own_ticket, ("harmless.html.png", POLYGLOT))
    assert response.status_code == 201
    pk = response.json()[0]["id"]
    if via == "page":
        client = Client()
        client.force_login(world.attacker)
        download = client.get(f"/tickets/{world.own_ticket.pk}/files/{pk}/")
    else:
        download = api.get(f"/api/tickets/{world.own_ticket.pk}/attachments/{pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert "default-src 'none'" in download["Content-Security-Policy"]
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == POLYGLOT


def test_the_reply_form_refuses_the_same_files(world):
    client = Client()
    client.force_login(world.attacker)
    before = database_fingerprint(world.media_root)
    response = client.post(
        f"/tickets/{world.own_ticket.pk}/reply/",
        {
            "body": "See attached",
            "version": world.own_ticket.version,
            "files": [SimpleUploadedFile("picture.png", HTML), SimpleUploadedFile("evil.svg", SVG)],
        },
    )
    assert response.status_code in (200, 400)
    assert b"does not match" in response.content or b"cannot be attached" in response.content
    assert database_fingerprint(world.media_root) == before
