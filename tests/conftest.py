from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from common import access as roles
from tests.factories import UserFactory

SAST = ZoneInfo("Africa/Johannesburg")


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    # Production uses the hashed manifest that collectstatic writes; tests read the source folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A fast hasher: the tests sign people in hundreds of times; production keeps PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _per_process_caches_forgotten():
    """A test's rows are rolled back without a post_delete, so the per-process caches that signals keep
    true (slas.calendars: the calendars and the agreements' calendar and outage policy; the ticket page's
    pick-lists, incidents/pick_lists.py) start empty."""
    from incidents.pick_lists import forget_pick_lists
    from slas.calendars import forget_calendars

    forget_calendars()
    forget_pick_lists()


@pytest.fixture
def frozen_start():
    """Where `frozen` starts: a Tuesday morning; a test folder's conftest may choose another."""
    return datetime(2026, 11, 24, 9, 0, tzinfo=SAST)


@pytest.fixture
def frozen(monkeypatch, frozen_start):
    """frozen(2026, 10, 1, 9, 0) sets "now" (django.utils.timezone.now) to that South African time."""
    from django.utils import timezone

    moment = {"now": frozen_start}
    monkeypatch.setattr(timezone, "now", lambda: moment["now"])

    def set_now(*args):
        moment["now"] = datetime(*args, tzinfo=SAST)
        return moment["now"]

    return set_now


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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run every test that commits for real (live server, threads, worker processes) after all others.

    Such a test ends with a flush that empties every table, migration data included; a plain test that
    ran after it would find no roles, sites or services. pytest-django orders them last, but other
    plugins (pytest-playwright groups by browser) may move them forward again, so this hook runs last.
    """

    def commits(item) -> bool:
        marker = item.get_closest_marker("django_db")
        if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
            return True
        if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
            return True
        # The browser tests serve a committed desk (tests/e2e/test_every_page.py loads the demo once per
        # module and flushes after it) whatever their marker says.
        return "e2e" in item.path.parts

    items[:] = [item for item in items if not commits(item)] + [item for item in items if commits(item)]
