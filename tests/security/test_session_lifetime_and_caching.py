"""Issue 16, two weaknesses found while hardening sign-in (docs/security.md "Sign-in and API tokens").

1. A sign-in lasted two weeks (Django's default SESSION_COOKIE_AGE): on a shared office PC, closing the
   browser instead of signing out handed the session to whoever sat down next, for days. Now a session
   lasts SESSION_HOURS (10, a working day).
2. Pages and API answers carried no Cache-Control: after "Sign out" on a shared PC, Back and the history
   still showed the tickets the last person had open. Now every signed-in answer is
   `Cache-Control: private, no-store` (common/private_answers.py).
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, TicketFactory

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_a_session_lasts_a_working_day_not_two_weeks(staff_user, frozen):
    frozen(2026, 11, 24, 7, 30)
    client = Client()
    sign_in(client, staff_user)
    assert client.cookies["sessionid"]["max-age"] == 10 * 3600
    frozen(2026, 11, 24, 17, 0)
    assert client.get("/tickets/").status_code == 200
    # The next morning the session is over, cookie or not.
    frozen(2026, 11, 25, 7, 45)
    response = client.get("/tickets/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_session_lifetime_comes_from_the_environment():
    from tests.servicedesk.test_settings import PRODUCTION, TEST_ONLY, run_manage

    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE)"
    result = run_manage(
        "shell", "-c", code, env_overrides={**PRODUCTION, "SESSION_HOURS": "4"}, drop=TEST_ONLY
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "14400"


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.mark.parametrize("path", ["/tickets/", "/", "/sites/", "/catalogue/", "/accounts/password_change/"])
def test_signed_in_pages_are_kept_by_no_cache(staff_user, path):
    TicketFactory(requester=staff_user)
    client = Client()
    sign_in(client, staff_user)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")


def test_api_answers_with_a_session_or_a_token_are_kept_by_no_cache(staff_user):
    token = APIClient().post("/api/auth/token/", {"username": staff_user.username, "password": TEST_PASSWORD})
    assert "no-store" in token["Cache-Control"]  # the token itself above all
    by_token = APIClient().get("/api/tickets/", HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert by_token.status_code == 200 and no_store(by_token)
    session = Client()
    sign_in(session, staff_user)
    by_session = session.get("/api/tickets/")
    assert by_session.status_code == 200 and no_store(by_session)


def test_the_icon_keeps_its_public_caching(staff_user):
    client = Client()
    sign_in(client, staff_user)
    icon = client.get("/favicon.ico")
    assert "public" in icon["Cache-Control"]
