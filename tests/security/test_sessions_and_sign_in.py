"""Items 11 and 14: where sign-in sends people, sessions, cookies and failed sign-ins.

- Sign-in with a `next` that points off-site lands on our own site (every spelling browsers accept).
- The session id changes at sign-in (no fixation), the session ends at sign-out, and a password change
  asks for the current password.
- Under production settings the session and CSRF cookies are Secure, the session cookie HttpOnly, both
  SameSite=Lax (read from a `manage.py` process started with production environment only).
- Repeated wrong passwords lock that username at that address (429, even with the right password then),
  while the same username from another address, and colleagues at the same address, still sign in.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD
from tests.servicedesk.test_settings import PRODUCTION, TEST_ONLY, run_manage

pytestmark = pytest.mark.django_db

EVIL = (
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "http://evil.example/",
    "\\\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "///evil.example",
    "https:/evil.example",
    "https:evil.example",
    " //evil.example",
    "/%09/evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "https://testserver.evil.example/",
    "https://evil.example@testserver/",
)


def lands_on_our_site(location: str) -> bool:
    """Where a browser goes with this Location, resolved the way browsers do (backslashes as slashes)."""
    resolved = urlsplit(urljoin("https://testserver/accounts/login/", location.replace("\\", "/").strip()))
    return resolved.scheme == "https" and resolved.netloc == "testserver"


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_never_sends_people_off_site(staff_user, target):
    client = Client()
    response = client.post(
        f"/accounts/login/?next={target}",
        {"username": staff_user.username, "password": TEST_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert lands_on_our_site(response["Location"])


@pytest.mark.parametrize("target", EVIL[:6])
def test_sign_out_never_sends_people_off_site(staff_user, target):
    client = Client()
    client.force_login(staff_user)
    response = client.post(f"/accounts/logout/?next={target}", {"next": target})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert lands_on_our_site(response["Location"])


def sign_in(client: Client, username: str, password: str, address: str = "10.1.1.10"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_session_id_changes_at_sign_in_and_the_session_ends_at_sign_out(staff_user):
    client = Client()
    # An anonymous session exists before sign-in (one an attacker could have planted in the browser).
    session = client.session
    session["planted"] = "yes"
    session.save()
    before = client.cookies["sessionid"].value
    assert sign_in(client, staff_user.username, TEST_PASSWORD).status_code == 302
    during = client.cookies["sessionid"].value
    assert during != before
    assert client.get("/tickets/").status_code == 200
    client.post("/accounts/logout/")
    assert client.cookies["sessionid"].value in ("", None) or client.cookies["sessionid"].value != during
    # The old session id, replayed, is no longer signed in.
    replay = Client()
    replay.cookies["sessionid"] = during
    assert replay.get("/tickets/").status_code == 302


def test_a_password_change_asks_for_the_current_password(signed_in, staff_user):
    client = signed_in(staff_user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "not-the-password",
            "new_password1": "Pwned-2026-xyz",
            "new_password2": "Pwned-2026-xyz",
        },
    )
    assert response.status_code == 200
    staff_user.refresh_from_db()
    assert staff_user.check_password(TEST_PASSWORD)


def test_the_session_cookie_is_httponly_and_samesite_here_too(staff_user):
    client = Client()
    sign_in(client, staff_user.username, TEST_PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_settings_make_the_cookies_secure():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE','CSRF_COOKIE_SECURE',"
        "'CSRF_COOKIE_SAMESITE','SECURE_SSL_REDIRECT','SECURE_CONTENT_TYPE_NOSNIFF','X_FRAME_OPTIONS',"
        "'SECURE_HSTS_SECONDS']}))"
    )
    result = run_manage("shell", "-c", code, env_overrides=PRODUCTION, drop=TEST_ONLY)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_HSTS_SECONDS": 31_536_000,
    }


# --- failed sign-ins -------------------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def test_repeated_wrong_passwords_lock_that_username_at_that_address(staff_user, technician_user, limit):
    attacker = Client()
    for _ in range(limit):
        response = sign_in(attacker, staff_user.username, "guess-123456")
        assert response.status_code in (200, 429)
    # Now even the right password from that address is refused, with a page that says why.
    locked = sign_in(attacker, staff_user.username, TEST_PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in attacker.session
    # The same person from another computer, and a colleague at the attacker's address, still get in.
    assert sign_in(Client(), staff_user.username, TEST_PASSWORD, address="10.1.1.99").status_code == 302
    assert sign_in(Client(), technician_user.username, TEST_PASSWORD).status_code == 302


def test_the_token_endpoint_is_locked_the_same_way(staff_user, limit):
    from rest_framework.test import APIClient

    api = APIClient()
    for _ in range(limit):
        api.post("/api/auth/token/", {"username": staff_user.username, "password": "guess-123456"})
    response = api.post("/api/auth/token/", {"username": staff_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 429  # as the sign-in page; a 400 "Unable to log in" until issue 16
    assert "token" not in response.json()


def test_a_right_password_before_the_limit_clears_the_count(staff_user, limit):
    client = Client()
    for _ in range(limit - 1):
        sign_in(client, staff_user.username, "guess-123456")
    assert sign_in(client, staff_user.username, TEST_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(limit - 1):
        sign_in(client, staff_user.username, "guess-123456")
    assert sign_in(client, staff_user.username, TEST_PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_address_is_counted(settings, staff_user, limit):
    """With TRUSTED_PROXY_COUNT=1 the lock follows the client's address, not the proxy's; a value the
    client wrote further left in X-Forwarded-For cannot pick another address."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "172.18.0.2"

    def through_proxy(password: str, client_address: str, spoofed: str = ""):
        forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
        return Client().post(
            "/accounts/login/",
            {"username": staff_user.username, "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for attempt in range(limit):
        through_proxy("guess-123456", "41.0.0.7", spoofed=f"1.2.3.{attempt}")
    assert through_proxy(TEST_PASSWORD, "41.0.0.7", spoofed="9.9.9.9").status_code == 429
    assert through_proxy(TEST_PASSWORD, "41.0.0.8").status_code == 302
