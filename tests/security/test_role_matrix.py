"""Item 9: each role (and an anonymous visitor, and a signed-in person with no role yet) opens every page
and endpoint of the URL conf; the ones their role is not given answer 403 (anonymous: sign in first).

ACCESS below is the one statement of who may open what; a new URL is refused by
test_every_url_has_an_access_rule until it is added there. Django admin is checked as a whole: only the
Admin role (is_staff) gets past its sign-in.
"""

from __future__ import annotations

import pytest
from django.test import Client

from servicedesk import roles

from .endpoints import Endpoint, all_endpoints, resolves_to
from .test_object_access import values_for

pytestmark = pytest.mark.django_db

STAFF, TECH, MANAGER, ADMIN = roles.STAFF, roles.TECHNICIAN, roles.MANAGER, roles.ADMIN
NO_ROLE, ANONYMOUS = "no role", "anonymous"
ROLES = frozenset(roles.ROLES)
SIGNED_IN = ROLES | {NO_ROLE}
ANYONE = SIGNED_IN | {ANONYMOUS}
SUPPORT = frozenset({TECH, MANAGER, ADMIN})
REPORTS = frozenset({MANAGER, ADMIN})

# Who may open each URL (GET; a POST-only URL answers 405 to those allowed to reach it).
ACCESS: dict[str, frozenset] = {
    "home": SIGNED_IN,
    # The page itself answers 403 with an explanation for everyone: test_a_person_without_a_role...
    "no_role": frozenset(),
    "healthz": ANYONE,  # monitors and compose probe it without a session; it names no data
    "login": ANYONE,
    "logout": ANYONE,  # POST only; signing out a visitor who is not signed in does nothing
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "password_reset": ANYONE,
    "password_reset_done": ANYONE,
    "password_reset_confirm": ANYONE,
    "password_reset_complete": ANYONE,
    # The asset register and the catalogue are reference data for everyone signed in.
    "sites:site_list": SIGNED_IN,
    "sites:site_detail": SIGNED_IN,
    "sites:site_labels": SUPPORT,
    "sites:asset_list": SIGNED_IN,
    "sites:asset_detail": SIGNED_IN,
    "sites:asset_qr": SIGNED_IN,
    "asset_qr": SIGNED_IN,
    "catalogue:catalogue": SIGNED_IN,
    "catalogue:service_detail": SIGNED_IN,
    "my_tickets": frozenset({STAFF}),
    "ticket_new": ROLES,
    "ticket_new_questions": ROLES,
    # A ticket's pages: its requester (the Staff user here owns it) and the ICT service desk.
    **dict.fromkeys(
        (
            "ticket_detail",
            "ticket_reply",
            "ticket_status",
            "ticket_take",
            "ticket_assign",
            "ticket_update",
            "ticket_rate",
            "ticket_major_link",
            "ticket_major_update",
            "attachment_download",
        ),
        ROLES,
    ),
    # Two rarely used forms of the ticket page as pages of their own (and fragments for its panels): the
    # service desk's only; the ticket's own requester is refused (403).
    "ticket_update_form": SUPPORT,
    "ticket_major_link_form": SUPPORT,
    "rate_by_link": ANYONE,  # the signed link in the resolution mail is the credential
    "work_queue": frozenset({TECH}),
    "queue_major_link": frozenset({TECH}),
    "saved_filter_save": frozenset({TECH}),
    "saved_filter_delete": frozenset({TECH}),
    "dashboard": REPORTS,
    **{
        f"reports:{name}": REPORTS
        for name in (
            "runs",
            "tickets",
            "run_detail",
            "run_progress",
            "run_commentary",
            "run_sign_off",
            "run_retry",
            "run_download",
        )
    },
    "api_schema": SIGNED_IN,
    "api_docs": SIGNED_IN,
    "api_redoc": SIGNED_IN,
    "api_token": ANYONE,  # POST username and password; GET is 405 for everyone
    "api-root": SIGNED_IN,
    **dict.fromkeys(
        (
            "site-list",
            "site-detail",
            "category-list",
            "category-detail",
            "service-list",
            "service-detail",
            "service-status",
            "asset-list",
            "asset-detail",
            "sla-list",
            "sla-detail",
            "calendar-list",
            "calendar-detail",
        ),
        SIGNED_IN,
    ),
    **dict.fromkeys(
        (
            "ticket-list",
            "ticket-detail",
            "ticket-assign",
            "ticket-attachments",
            "ticket-comments",
            "ticket-attachment-download",
            "ticket-rating",
            "ticket-take",
            "ticket-transition",
        ),
        ROLES,
    ),
    "ticket-operational-clocks": SUPPORT,  # which team or supplier sat on it: the desk's business
    "report-kpis-list": REPORTS,
    "report-run-list": REPORTS,
    "report-run-detail": REPORTS,
}
# A ticket someone may not see is a 404, never a 403 (its existence is not confirmed).
TICKET_SCOPED = frozenset(
    {
        "ticket_detail",
        "ticket_reply",
        "ticket_status",
        "ticket_take",
        "ticket_assign",
        "ticket_update",
        "ticket_update_form",
        "ticket_rate",
        "ticket_major_link",
        "ticket_major_link_form",
        "ticket_major_update",
        "attachment_download",
    }
)


@pytest.fixture
def people(world):
    return {
        STAFF: world.attacker,  # who requested world.own_ticket
        TECH: world.technician,
        MANAGER: world.manager,
        ADMIN: world.admin,
        NO_ROLE: world.no_role,
        ANONYMOUS: None,
    }


def own_values(world, endpoint: Endpoint) -> dict:
    """Arguments that the allowed roles may legitimately use: the Staff user's own ticket, a real report
    run, a valid rating link (the view checks the signature)."""
    from incidents.notifications import rating_token
    from tests.security.test_object_access import OBJECT_RULES

    values = values_for(world, endpoint, OBJECT_RULES.get(endpoint.name, {}))
    values["token"] = rating_token(world.own_ticket)
    if endpoint.name.startswith("ticket") or endpoint.name == "attachment_download":
        values["pk"] = world.own_ticket.pk
    if endpoint.name == "saved_filter_delete":
        values["pk"] = world.saved_filter.pk
    return values


def test_every_url_has_an_access_rule():
    names = {e.name for e in all_endpoints() if not e.is_admin}
    assert sorted(names - set(ACCESS)) == [], "Say in ACCESS who may open these URLs"
    assert sorted(set(ACCESS) - names) == [], "ACCESS names URLs that no longer exist"


def refused(who: str, endpoint: Endpoint, response) -> bool:
    code = response.status_code
    to_login = code == 302 and response["Location"].startswith("/accounts/login/")
    if who == ANONYMOUS:
        return code in (401, 403) if endpoint.is_api else to_login
    if endpoint.name in TICKET_SCOPED and who == NO_ROLE:
        return code in (403, 404)
    return code == 403


def test_each_role_is_refused_every_other_roles_pages_and_endpoints(world, people):
    client = Client()
    wrong = []
    for endpoint in all_endpoints():
        if endpoint.is_admin:
            continue
        url = endpoint.url(own_values(world, endpoint))
        assert resolves_to(endpoint, url), url
        for who, user in people.items():
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            allowed = who in ACCESS[endpoint.name]
            if response.status_code == 405 and not allowed:
                # A POST-only URL: the refusal must come on the POST (an empty one changes nothing).
                response = client.post(url)
            assert response.status_code < 500, f"{who}: GET {url} -> {response.status_code}"
            if allowed == refused(who, endpoint, response):
                wrong.append(f"{who}: GET {url} -> {response.status_code} (allowed: {allowed})")
    assert wrong == [], "\n".join(wrong)


def test_only_the_admin_role_gets_into_django_admin(world, people):
    client = Client()
    values = values_for(world, None, {})
    wrong = []
    for endpoint in all_endpoints():
        if not endpoint.is_admin:
            continue
        url = endpoint.url(values)
        for who, user in people.items():
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            if who == ADMIN or endpoint.name in ("admin:login", "admin:logout"):
                # Everyone may see the admin's sign-in form; its sign-out only ends a session.
                ok = response.status_code < 500
            else:
                ok = response.status_code == 302 and response["Location"].startswith("/admin/login/")
            if not ok:
                wrong.append(f"{who}: GET {url} -> {response.status_code}")
    assert wrong == [], "\n".join(wrong)


WRITABLE_REFERENCE = ("/api/categories/", "/api/services/", "/api/assets/")


def test_only_the_admin_role_changes_the_catalogue_and_the_asset_register_through_the_api(world, people):
    from rest_framework.test import APIClient

    from .conftest import database_fingerprint

    targets = {
        "/api/categories/": world.ticket.service.category_id,
        "/api/services/": world.ticket.service_id,
        "/api/assets/": world.asset.pk,
    }
    before = database_fingerprint()
    for who in (STAFF, TECH, MANAGER, NO_ROLE, ANONYMOUS):
        api = APIClient()
        if people[who] is not None:
            api.force_authenticate(people[who])
        for base, pk in targets.items():
            calls = (
                api.post(base, {"name": "pwned"}, format="json"),
                api.patch(f"{base}{pk}/", {"name": "pwned"}, format="json"),
                api.put(f"{base}{pk}/", {"name": "pwned"}, format="json"),
                api.delete(f"{base}{pk}/"),
            )
            assert [r.status_code for r in calls] == [403] * 4, (who, base)
        service_status = api.post(f"/api/services/{world.ticket.service_id}/status/", {"status": "retired"})
        assert service_status.status_code in (401, 403)
    assert database_fingerprint() == before


def test_a_person_without_a_role_sees_an_explanation_not_the_desk(world):
    client = Client()
    client.force_login(world.no_role)
    response = client.get("/", follow=True)
    assert response.status_code == 403
    assert b"role" in response.content


def test_deleting_a_category_still_in_use_is_a_409_not_a_500(world):
    """Found by schemathesis (docs/security.md): the Admin role deleting a category that services use."""
    from rest_framework.test import APIClient

    from catalogue.models import ServiceCategory

    api = APIClient()
    api.force_authenticate(world.admin)
    category = world.ticket.service.category_id
    response = api.delete(f"/api/categories/{category}/")
    assert response.status_code == 409
    assert "in use" in response.json()["detail"]
    assert ServiceCategory.objects.filter(pk=category).exists()
