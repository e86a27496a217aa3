"""The access table and its readers: the page decorator, the API permission, the role lookups and the
grants kept in step after migrate. The role matrix (tests/security/test_role_matrix.py) calls every URL
of the project against the table; these tests cover what the matrix cannot see."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db.models.signals import post_migrate
from rest_framework.test import APIClient

from common import access
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = sorted(path.name for path in ROOT.iterdir() if (path / "apps.py").exists())
# access.may(user, "ticket.work") and access.roles_with("actions", "ticket.work")
ASKS_FOR_ACTION = re.compile(r"(?:\bmay\([^,()]+|roles_with\(\"actions\"), \"([a-z_]+\.[a-z_]+)\"\)")


@pytest.fixture
def unlisted_urls(settings):
    settings.ROOT_URLCONF = "tests.common.urls"


def test_a_page_without_an_entry_is_refused_to_every_role(unlisted_urls, client, users_by_role):
    # Deny by default: the developer who forgets the entry sees the page refused (and the matrix fail).
    response = client.get("/unlisted/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    for user in users_by_role.values():
        client.force_login(user)
        assert client.get("/unlisted/").status_code == 403


def test_an_endpoint_without_an_entry_is_refused_to_every_role(unlisted_urls, users_by_role):
    api = APIClient()
    assert api.get("/api/unlisted/").status_code in (401, 403)
    for user in users_by_role.values():
        api.force_authenticate(user)
        assert api.get("/api/unlisted/").status_code == 403


def test_a_refusal_names_the_roles_the_table_gives_the_page(signed_in, staff_user):
    response = signed_in(staff_user).get("/dashboard/")
    assert response.status_code == 403
    assert b"This page is for the ICT Manager and Admin roles." in response.content


def test_the_api_refusal_says_an_account_has_no_role_yet(users_by_role):
    api = APIClient()
    api.force_authenticate(UserFactory(username="newcomer"))
    response = api.get("/api/tickets/")
    assert response.status_code == 403
    assert "no service desk role yet" in response.json()["detail"]


def test_reference_pages_ask_nothing_about_the_role(django_assert_num_queries, staff_user):
    # A page open to every signed-in account is decided without reading the user's groups.
    with django_assert_num_queries(0):
        assert access.may_open(staff_user, "sites:site_list")
    with django_assert_num_queries(1):
        assert not access.may_open(staff_user, "dashboard")
    with django_assert_num_queries(0):  # the groups are read once per user object
        assert access.may_open(staff_user, "my_tickets")


def test_roles_with_lists_the_roles_in_order_of_privilege():
    assert access.roles_with("actions", "ticket.work") == (access.ADMIN, access.MANAGER, access.TECHNICIAN)
    assert access.roles_with("actions", "report.make") == (access.ADMIN, access.MANAGER)
    assert access.roles_with("pages", "sites:site_list") == access.ROLES  # every signed-in account


def test_every_action_of_the_table_is_asked_for_and_every_action_asked_for_is_in_it():
    # An action is a name in two places, the table and the code that asks; a typo in either never matches.
    asked = set()
    for app in PROJECT_APPS:
        for source in (ROOT / app).rglob("*.py"):
            asked |= set(ASKS_FOR_ACTION.findall(source.read_text()))
    named = {name for entry in access.ACCESS.values() for name in entry.actions}
    assert asked == named


def test_the_grants_are_synced_after_every_migrate_from_the_ground_floor():
    # Each entry is ((dispatch_uid, sender id), receiver, ...).
    assert any(entry[0][0] == "common.sync_roles" for entry in post_migrate.receivers), (
        "common's AppConfig connects the grant sync"
    )

    admin = Group.objects.get(name=access.ADMIN)
    admin.permissions.clear()
    first = next(config for config in apps.get_app_configs() if config.models_module is not None)
    access.sync_roles_after_migrate(sender=first, apps=apps)
    assert not admin.permissions.exists(), "only the last app's signal syncs, once per migrate"

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    access.sync_roles_after_migrate(sender=last, apps=apps)
    assert admin.permissions.filter(codename="change_site").exists()


def test_the_access_table_imports_no_app_of_the_project():
    tree = ast.parse(Path(access.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "level", 0) == 0
        for alias in node.names
    }
    assert imported & (set(PROJECT_APPS) - {"common"}) == set()
