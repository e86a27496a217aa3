"""Pages and API answers go gzipped to a browser that accepts it (a wireless link to a park home);
downloads and anything already compressed go as they are (common/compression.py)."""

import gzip
import json

import pytest
from django.urls import reverse

from incidents import services
from tests.incidents.pages_fixtures import *  # noqa: F403
from tests.incidents.pages_fixtures import PNG, png

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_a_page_goes_gzipped_and_unpacks_to_the_page(signed_in, technician, ticket):
    client = signed_in(technician)
    plain = client.get(reverse("work_queue"))
    packed = client.get(reverse("work_queue"), **GZIP)

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 3
    page = gzip.decompress(packed.content).decode()
    assert ticket.reference in page
    # The same page apart from the per-request masked CSRF token.
    assert len(page) == len(plain.content.decode())


def test_an_api_answer_goes_gzipped(signed_in, technician, ticket):
    response = signed_in(technician).get("/api/tickets/", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["count"] == 1


def test_two_answers_differ_in_length_of_the_gzip_header(signed_in, technician, ticket):
    """BREACH: Django pads each gzip answer with a random-length file name, so the compressed length
    does not follow the page's content byte for byte."""
    client = signed_in(technician)
    lengths = {len(client.get("/api/tickets/", **GZIP).content) for _ in range(8)}
    assert len(lengths) > 1


def test_a_file_download_is_not_recompressed(signed_in, staff_user, ticket):
    services.ticket_attach(ticket=ticket, by=staff_user, files=[png("meter reading.png")])
    attachment = ticket.attachments.get()
    response = signed_in(staff_user).get(
        reverse("attachment_download", args=[ticket.pk, attachment.pk]), **GZIP
    )
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == PNG
