"""Passwords are hashed with Argon2id (docs/performance.md, "Signing in"); a PBKDF2 hash from before is
rehashed at the person's next sign-in, without them noticing."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.urls import reverse

from servicedesk import settings as project_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Ndiyabulela-2026!"


def test_argon2id_comes_first_and_pbkdf2_still_verifies():
    # tests/conftest.py swaps in a fast hasher for the suite; the project's own list is this one.
    hashers = project_settings.PASSWORD_HASHERS
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers


def test_a_pbkdf2_hash_becomes_argon2id_at_sign_in(client, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = UserFactory()
    # A hash as Django's default wrote it before (fewer iterations, to keep the test fast).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "somesalt1234", iterations=1000)
    user.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
    # And the new hash signs in again.
    client.post(reverse("logout"))
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def test_a_new_password_is_hashed_with_argon2id(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = UserFactory()
    user.set_password(PASSWORD)
    assert identify_hasher(user.password).algorithm == "argon2"
