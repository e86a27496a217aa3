"""Every /api/ answer is JSON, errors included (issue 16: a database outage and an oversized body answered
Django's HTML page). What a DRF view raises is answered by common.api_errors; what is raised before or
outside one (a middleware, Django's request parsing) by the project's error handlers (servicedesk/views.py).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

from incidents.api import TicketViewSet
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def assert_json(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert response.json()["detail"]


class DatabaseDown:
    """A middleware standing in for the first database touch of a request (the session, axes) while the
    database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def test_a_database_outage_before_the_view_is_a_json_503(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.DatabaseDown"]
    client = Client(raise_request_exception=False)

    response = client.get("/api/tickets/")

    assert_json(response, 503)
    assert response["Retry-After"] == "60"
    page = client.get("/queue/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")  # pages keep theirs


def test_a_database_outage_inside_an_api_view_is_a_json_503(technician_user, monkeypatch):
    def down(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(TicketViewSet, "get_queryset", down)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(technician_user)

    response = api.get("/api/tickets/")

    assert_json(response, 503)
    assert response["Retry-After"] == "60"


def test_an_unexpected_error_in_an_api_view_is_a_json_500(technician_user, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(TicketViewSet, "get_queryset", broken)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(technician_user)

    assert_json(api.get("/api/tickets/"), 500)


def test_a_json_body_over_the_limit_is_a_json_413(settings, technician_user):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    ticket = TicketFactory()
    api = APIClient()
    api.force_authenticate(technician_user)

    response = api.post(
        f"/api/tickets/{ticket.pk}/comments/", {"body": "x" * 4096, "version": ticket.version}, format="json"
    )

    assert_json(response, 413)
    assert not ticket.comments.exists()


def test_a_form_body_over_the_limit_is_a_json_413(settings, technician_user):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    ticket = TicketFactory()
    api = APIClient()
    api.force_authenticate(technician_user)

    response = api.post(
        f"/api/tickets/{ticket.pk}/comments/",
        {"body": "x" * 4096, "version": ticket.version, "files": [SimpleUploadedFile("a.txt", b"a")]},
        format="multipart",
    )

    assert_json(response, 413)
    assert not ticket.comments.exists()


def test_the_token_endpoint_over_the_limit_is_a_json_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = APIClient().post("/api/auth/token/", {"username": "x" * 4096, "password": "y"}, format="json")

    assert_json(response, 413)


def test_too_many_form_fields_is_a_json_400(settings, technician_user):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    ticket = TicketFactory()
    api = APIClient()
    api.force_authenticate(technician_user)

    response = api.post(
        f"/api/tickets/{ticket.pk}/comments/",
        {**{f"f{n}": "x" for n in range(50)}, "body": "hi", "version": ticket.version},
        format="multipart",
    )

    assert_json(response, 400)


def test_unknown_urls_and_methods_are_json(technician_user):
    api = APIClient()
    api.force_authenticate(technician_user)
    ticket = TicketFactory()

    assert_json(api.get("/api/no-such-thing/"), 404)
    assert_json(api.get("/api/tickets/999999/"), 404)
    assert_json(api.delete(f"/api/tickets/{ticket.pk}/"), 405)
    assert_json(api.put(f"/api/tickets/{ticket.pk}/", {}, format="json"), 405)
