"""Issue 16: a locked account on the token endpoint got 400 "Unable to log in", not the 429 the sign-in
page gives; and the lock-out was per username and address only, so one password tried on every username
from one address ("password spraying") was never slowed.

Now the token endpoint answers 429 (JSON, Retry-After) when django-axes refuses the sign-in, and
AXES_ADDRESS_FAILURE_LIMIT failures from one address, across usernames, lock that address out of every
way in (the sign-in page, Django admin's and the token endpoint: one rule, servicedesk/sign_in.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SPRAYED = "Mbashe2026!"
ATTACKER = "41.0.0.66"


@pytest.fixture
def address_limit(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    return 6


def page_sign_in(username: str, password: str, address: str = ATTACKER):
    return Client().post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def admin_sign_in(username: str, password: str, address: str = ATTACKER):
    return Client().post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def token_sign_in(username: str, password: str, address: str = ATTACKER):
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=address, format="json"
    )


def test_a_locked_username_on_the_token_endpoint_is_a_429(staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert token_sign_in(staff_user.username, "guess-123456").status_code in (400, 429)
    response = token_sign_in(staff_user.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "token" not in response.json()
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    # From another address the same person still gets a token.
    assert token_sign_in(staff_user.username, TEST_PASSWORD, address="10.1.1.99").status_code == 200


def test_a_token_sign_in_clears_the_count_as_the_page_does(staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_sign_in(staff_user.username, "guess-123456")
    assert token_sign_in(staff_user.username, TEST_PASSWORD).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_sign_in(staff_user.username, "guess-123456")
    assert token_sign_in(staff_user.username, TEST_PASSWORD).status_code == 200
    staff_user.refresh_from_db()
    assert staff_user.last_login is not None


def test_one_password_across_many_usernames_locks_the_address_on_the_page(staff_user, address_limit):
    for number in range(address_limit):
        page_sign_in(f"clerk{number}", SPRAYED)
    # The sprayer now guesses right for a real person: refused, with the locked page.
    locked = page_sign_in(staff_user.username, TEST_PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    # Another address is untouched.
    assert page_sign_in(staff_user.username, TEST_PASSWORD, address="10.1.1.99").status_code == 302


def test_spraying_through_the_token_endpoint_locks_the_address(staff_user, address_limit):
    for number in range(address_limit):
        token_sign_in(f"clerk{number}", SPRAYED)
    assert token_sign_in(staff_user.username, TEST_PASSWORD).status_code == 429
    assert page_sign_in(staff_user.username, TEST_PASSWORD).status_code == 429


def test_page_admin_and_token_failures_count_together(address_limit):
    admin = UserFactory(username="lindiwe", is_staff=True, is_superuser=True)
    ways = (page_sign_in, admin_sign_in, token_sign_in)
    for number in range(address_limit):
        ways[number % 3](f"clerk{number}", SPRAYED)
    assert admin_sign_in(admin.username, TEST_PASSWORD).status_code == 429
    assert token_sign_in(admin.username, TEST_PASSWORD).status_code == 429


def test_below_the_address_limit_the_office_signs_in(staff_user, technician_user, address_limit):
    """A shared NAT address: a few colleagues' typing mistakes do not lock the office out."""
    for number in range(address_limit - 1):
        page_sign_in(f"clerk{number}", "typo")
    assert page_sign_in(staff_user.username, TEST_PASSWORD).status_code == 302
    assert token_sign_in(technician_user.username, TEST_PASSWORD).status_code == 200


def test_the_address_lock_lifts_after_the_cool_off(staff_user, address_limit, settings):
    from axes.models import AccessAttempt

    for number in range(address_limit):
        page_sign_in(f"clerk{number}", SPRAYED)
    assert page_sign_in(staff_user.username, TEST_PASSWORD).status_code == 429
    # The failures age past the cool-off (axes stamps them with its own clock, so they are moved back).
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    assert page_sign_in(staff_user.username, TEST_PASSWORD).status_code == 302


def test_the_default_address_limit_is_above_the_username_limit(settings):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 30 > settings.AXES_FAILURE_LIMIT
