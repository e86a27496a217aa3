"""The four roles: groups from the data migration, their grants, and each role's home and navigation."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from common import access as roles
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

HOMES = {
    roles.STAFF: "/tickets/",
    roles.TECHNICIAN: "/queue/",
    roles.MANAGER: "/dashboard/",
    roles.ADMIN: "/admin/",
}


def perms(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_migration_creates_the_four_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Staff",
        "Technician",
        "ICT Manager",
        "Admin",
    }


def test_grants_follow_the_role_table():
    assert perms(roles.STAFF) == {
        "sites.view_site",
        "sites.view_building",
        "catalogue.view_service",
        "catalogue.view_servicecategory",
    }
    assert "catalogue.change_service" in perms(roles.ADMIN)
    assert "catalogue.change_service" not in perms(roles.MANAGER)
    assert "sites.change_site" not in perms(roles.TECHNICIAN)
    assert {"sites.view_site", "accounts.view_user"} <= perms(roles.MANAGER)
    assert {"sites.add_site", "sites.change_site", "sites.delete_site", "accounts.change_user"} <= perms(
        roles.ADMIN
    )


def test_sync_restores_grants_that_were_removed_by_hand():
    from django.apps import apps

    Group.objects.get(name=roles.ADMIN).permissions.clear()
    roles.sync_roles(apps)
    assert "sites.change_site" in perms(roles.ADMIN)


def test_role_of_picks_the_highest_role():
    person = UserFactory(role=roles.STAFF)
    person.groups.add(Group.objects.get(name=roles.TECHNICIAN))
    assert roles.role_of(person) == roles.TECHNICIAN
    assert roles.role_of(UserFactory()) is None


@pytest.mark.parametrize("role", list(HOMES))
def test_sign_in_lands_each_role_on_its_own_home(client, role):
    user = UserFactory(role=role)

    response = client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == HOMES[role]
    assert response.status_code == 200


def test_a_user_without_a_role_is_told_so(client):
    user = UserFactory()
    response = client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )
    assert response.status_code == 403
    assert b"has no role yet" in response.content


def test_wrong_password_keeps_the_username_and_says_why(client, staff_user):
    response = client.post(reverse("login"), {"username": staff_user.username, "password": "nope"})

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert f'value="{staff_user.username}"'.encode() in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            roles.STAFF,
            ["My tickets", "Help", "Services", "Sites"],
            ["Work queue", "Dashboard", "Administration", "API"],
        ),
        (roles.TECHNICIAN, ["Work queue", "Sites", "API"], ["My tickets", "Dashboard", "Administration"]),
        (roles.MANAGER, ["Dashboard", "Sites", "API"], ["My tickets", "Work queue", "Administration"]),
        (roles.ADMIN, ["Dashboard", "Sites", "Administration"], ["My tickets", "Work queue"]),
    ],
)
def test_navigation_shows_each_role_only_its_places(signed_in, role, shown, hidden):
    response = signed_in(UserFactory(role=role)).get(reverse("sites:site_list"))

    labels = [place.label for place in response.context["nav_places"]]
    assert all(label in labels for label in shown)
    assert not any(label in labels for label in hidden)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/tickets/", {roles.STAFF}),
        ("/queue/", {roles.TECHNICIAN}),
        ("/dashboard/", {roles.MANAGER, roles.ADMIN}),
        ("/sites/", {roles.STAFF, roles.TECHNICIAN, roles.MANAGER, roles.ADMIN}),
    ],
)
def test_role_pages_refuse_other_roles(signed_in, users_by_role, url, allowed):
    for role, user in users_by_role.items():
        status = signed_in(user).get(url).status_code
        assert status == (200 if role in allowed else 403), (url, role, status)


def test_django_admin_is_only_for_the_admin_role(signed_in, users_by_role):
    for role, user in users_by_role.items():
        response = signed_in(user).get("/admin/sites/site/")
        if role == roles.ADMIN:
            assert response.status_code == 200
        else:
            # Not staff: Django admin sends them to its login page, never shows the list.
            assert response.status_code == 302


@pytest.mark.parametrize("url", ["/tickets/", "/queue/", "/dashboard/", "/sites/", "/"])
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_empty_homes_do_not_pretend_to_hold_data(signed_in, users_by_role):
    # No ticket exists: no home may show one, or a figure made up without data behind it.
    for url, role in (
        ("/tickets/", roles.STAFF),
        ("/queue/", roles.TECHNICIAN),
        ("/dashboard/", roles.MANAGER),
    ):
        html = signed_in(users_by_role[role]).get(url).content.decode()
        html = re.sub(r'placeholder="[^"]*"', "", html)  # a search box's example reference is no ticket
        assert "INC-0" not in html and "REQ-0" not in html, url
