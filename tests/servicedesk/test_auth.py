"""Sign-in, sign-out, password change and reset, and safe redirects after sign-in."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD, deliver_outbox

pytestmark = pytest.mark.django_db


def test_login_page_renders_with_csrf(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content


def test_login_post_without_csrf_token_is_refused(staff_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": staff_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 403


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "\\\\\\evil.example"])
def test_next_never_leaves_our_site(client, staff_user, target):
    response = client.post(
        f"{reverse('login')}?next={target}",
        {"username": staff_user.username, "password": TEST_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_next_within_our_site_is_followed(client, staff_user):
    response = client.post(
        reverse("login"), {"username": staff_user.username, "password": TEST_PASSWORD, "next": "/sites/"}
    )
    assert response.url == "/sites/"


def test_sign_out_needs_post_and_ends_the_session(signed_in, staff_user):
    client = signed_in(staff_user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert b"Signed out" in response.content
    assert "_auth_user_id" not in client.session


def test_password_change(signed_in, staff_user):
    client = signed_in(staff_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Ndiyabulela-2026!",
            "new_password2": "Ndiyabulela-2026!",
        },
    )
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password("Ndiyabulela-2026!")


def test_password_change_rejects_a_short_password_in_plain_words(signed_in, staff_user):
    response = signed_in(staff_user).post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert b"too short" in response.content
    staff_user.refresh_from_db()
    assert staff_user.check_password(TEST_PASSWORD)


def test_password_reset_mails_a_link_that_sets_a_new_password(client, staff_user):
    client.post(reverse("password_reset"), {"email": staff_user.email})
    deliver_outbox()  # the mail goes through the outbox, after commit

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff_user.email]
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Enkosi-kakhulu-77", "new_password2": "Enkosi-kakhulu-77"},
    )
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password("Enkosi-kakhulu-77")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@mbashe.invalid"}, follow=True)
    assert response.status_code == 200
    assert deliver_outbox() == 0
    assert len(mail.outbox) == 0
    assert b"Check your e-mail" in response.content


def test_an_unknown_api_url_answers_json_and_an_unknown_page_the_sites_page(client, settings):
    settings.DEBUG = False  # Django's own debug page otherwise
    api = client.get("/api/tickets/1.2/nothing-here/")
    assert api.status_code == 404
    assert api["Content-Type"] == "application/json"
    assert api.json() == {"detail": "Not found."}
    page = client.get("/nowhere/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_an_api_token_for_an_overlong_username_is_bad_input_and_records_nothing(client, staff_user):
    """Found by schemathesis: a 300-character username reached django-axes, whose failed-attempt record
    holds 255, and the answer was a 500."""
    from axes.models import AccessAttempt

    response = client.post("/api/auth/token/", {"username": "x" * 300, "password": "wrong"})
    assert response.status_code == 400
    assert "150" in response.json()["username"][0]
    assert not AccessAttempt.objects.exists()
    # A real sign-in still gets its token.
    staff_user.set_password("a long enough password")
    staff_user.save()
    answer = client.post(
        "/api/auth/token/", {"username": staff_user.username, "password": "a long enough password"}
    )
    assert answer.status_code == 200 and answer.json()["token"] and answer.json()["expiry"]
