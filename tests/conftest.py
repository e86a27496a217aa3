import pytest

from servicedesk import roles
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    # Production uses the hashed manifest that collectstatic writes; tests read the source folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A fast hasher: the tests sign people in hundreds of times; production keeps PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_user(db):
    return UserFactory(username="nomsa", role=roles.STAFF)


@pytest.fixture
def technician_user(db):
    return UserFactory(username="sipho", role=roles.TECHNICIAN)


@pytest.fixture
def manager_user(db):
    return UserFactory(username="thandeka", role=roles.MANAGER)


@pytest.fixture
def admin_role_user(db):
    return UserFactory(username="lwazi", role=roles.ADMIN)


@pytest.fixture
def users_by_role(staff_user, technician_user, manager_user, admin_role_user):
    return {
        roles.STAFF: staff_user,
        roles.TECHNICIAN: technician_user,
        roles.MANAGER: manager_user,
        roles.ADMIN: admin_role_user,
    }


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client with that user's session."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
