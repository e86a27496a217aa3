"""Downloading a ticket's files (only through the ticket scope, always as a sandboxed download) and rating
a ticket from the signed link in the resolution mail (no sign-in, once)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from incidents import notifications, services
from incidents.models import SatisfactionRating, Status
from tests.incidents.pages_fixtures import *  # noqa: F403
from tests.incidents.pages_fixtures import PNG, fresh, png, resolve

pytestmark = pytest.mark.django_db


def download_url(attachment):
    return reverse("attachment_download", args=[attachment.ticket_id, attachment.pk])


# --- files -----------------------------------------------------------------------------------------------


def test_download_is_a_sandboxed_attachment_with_the_stored_type(signed_in, staff_user, ticket):
    services.ticket_attach(ticket=ticket, by=staff_user, files=[png("meter reading.png")])
    attachment = ticket.attachments.get()

    response = signed_in(staff_user).get(download_url(attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"meter reading.png\"; filename*=UTF-8''meter%20reading.png"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_non_ascii_name_has_an_ascii_fallback_and_the_exact_name(signed_in, staff_user, ticket):
    services.ticket_attach(ticket=ticket, by=staff_user, files=[png("Ncedo\u2019s scan \u00e9.png")])

    response = signed_in(staff_user).get(download_url(ticket.attachments.get()))

    assert response["Content-Disposition"] == (
        "attachment; filename=\"Ncedo_s scan _.png\"; filename*=UTF-8''Ncedo%E2%80%99s%20scan%20%C3%A9.png"
    )


def test_another_staff_member_gets_404_and_anonymous_the_sign_in(
    signed_in, staff_user, other_staff, ticket, client
):
    services.ticket_attach(ticket=ticket, by=staff_user, files=[png()])
    url = download_url(ticket.attachments.get())

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    assert signed_in(other_staff).get(url).status_code == 404


def test_internal_files_are_for_support_only(signed_in, staff_user, technician, ticket):
    services.ticket_comment(
        ticket=ticket, by=technician, body="diagram", internal=True, files=[png("net.png")]
    )
    url = download_url(ticket.attachments.get())

    assert signed_in(staff_user).get(url).status_code == 404
    assert signed_in(technician).get(url).status_code == 200


def test_a_file_is_only_found_under_its_own_ticket(signed_in, staff_user, ticket, service):
    from tests.factories import TicketFactory

    own_other = TicketFactory(requester=staff_user, service=service)
    services.ticket_attach(ticket=ticket, by=staff_user, files=[png()])
    attachment = ticket.attachments.get()

    response = signed_in(staff_user).get(reverse("attachment_download", args=[own_other.pk, attachment.pk]))

    assert response.status_code == 404


def test_a_file_missing_from_storage_is_404(signed_in, staff_user, ticket):
    services.ticket_attach(ticket=ticket, by=staff_user, files=[png()])
    attachment = ticket.attachments.get()
    attachment.file.storage.delete(attachment.file.name)

    assert signed_in(staff_user).get(download_url(attachment)).status_code == 404


# --- rating by the signed link ---------------------------------------------------------------------------


@pytest.fixture
def resolved(ticket, technician):
    return resolve(ticket, technician)


def rate_url(ticket):
    return reverse("rate_by_link", args=[notifications.rating_token(ticket)])


def test_opening_the_link_shows_the_score_chosen_in_the_mail_and_records_nothing(client, resolved):
    response = client.get(rate_url(resolved), {"score": "4"})

    assert response.status_code == 200
    html = response.content.decode()
    assert resolved.reference in html
    assert re.search(r'name="score" value="4"[^>]*checked', html)
    assert not re.search(r'name="score" value="5"[^>]*checked', html)
    assert "csrfmiddlewaretoken" in html
    assert not SatisfactionRating.objects.exists()


def test_sending_the_form_records_the_rating_once(client, resolved):
    url = rate_url(resolved)

    response = client.post(url, {"score": "5", "comment": "Fixed before lunch"})

    assert response.status_code == 302
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment, rating.via_link) == (5, "Fixed before lunch", True)
    thanks = client.get(url)
    assert "Thank you: your rating of this ticket is recorded." in thanks.content.decode()
    again = client.post(url, {"score": "1", "comment": "changed my mind"})
    assert again.status_code == 200 and "Thank you" in again.content.decode()
    assert SatisfactionRating.objects.get().score == 5


def test_a_missing_score_is_asked_for(client, resolved):
    response = client.post(rate_url(resolved), {"comment": "no score"})

    assert response.status_code == 400
    assert "Choose a score from 1 to 5." in response.content.decode()
    assert "no score</textarea>" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


@pytest.mark.parametrize("token", ["not-a-token", "eyJ0aWNrZXQiOjF9:1aaaaa:bbbbbbbbbbbbbbbbbbbbbbbbbbb"])
def test_a_bad_link_says_so(client, resolved, token):
    response = client.get(reverse("rate_by_link", args=[token]))

    assert response.status_code == 400
    assert "This rating link does not work" in response.content.decode()
    assert client.post(reverse("rate_by_link", args=[token]), {"score": "5"}).status_code == 400
    assert not SatisfactionRating.objects.exists()


def test_an_expired_link_says_so(client, resolved, monkeypatch):
    url = rate_url(resolved)
    monkeypatch.setattr(notifications, "RATING_LINK_MAX_AGE", -1)

    response = client.post(url, {"score": "5"})

    assert response.status_code == 400
    assert "The link has expired." in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_a_link_for_a_reopened_ticket_waits_for_the_fix(client, resolved, staff_user):
    services.ticket_change_status(ticket=resolved, to=Status.REOPENED, by=staff_user)

    response = client.get(rate_url(resolved))
    assert "You can rate it once it is resolved." in response.content.decode()
    response = client.post(rate_url(resolved), {"score": "2"})
    assert response.status_code == 400
    assert not SatisfactionRating.objects.exists()


def test_the_link_form_needs_its_csrf_token(resolved):
    client = Client(enforce_csrf_checks=True)

    assert client.post(rate_url(resolved), {"score": "5"}).status_code == 403
    assert not SatisfactionRating.objects.exists()
    assert fresh(resolved).status == Status.RESOLVED
