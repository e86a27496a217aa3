"""Item 9: each role (and an anonymous visitor, and a signed-in person with no role yet) opens every page
and endpoint of the URL conf, and the answer is the access table's (common/access.py): past the door
(neither sent to sign in nor a 403) where the table lets them in; a 403 where it does not (anonymous: a
redirect to sign in, 401/403 on the API; a page decided after the ticket's scope may answer 404).

The expectations are generated from the table and from the URL resolver; a URL the table does not name
fails test_every_url_has_an_access_rule (docs/decisions/0005-access-table.md: how to add one). Django
admin is checked as a whole: only the Admin role (is_staff) gets past its sign-in.
"""

from __future__ import annotations

import pytest
from django.test import Client

from common import access

from .endpoints import Endpoint, all_endpoints, resolves_to
from .test_object_access import values_for

pytestmark = pytest.mark.django_db

STAFF, TECH, MANAGER, ADMIN = access.STAFF, access.TECHNICIAN, access.MANAGER, access.ADMIN
ADVISOR = access.CHANGE_ADVISOR
NO_ROLE, ANONYMOUS = "no role", "anonymous"

# The page that tells a signed-in account without a role what to do is itself a 403, for everyone:
# test_a_person_without_a_role_sees_an_explanation_not_the_desk.
EXPLAINED_REFUSALS = frozenset({"no_role"})


def audiences(who: str) -> set[str]:
    """The table's entries that apply to a person (access.audiences_of, for the test's people)."""
    if who == ANONYMOUS:
        return {access.ANYONE}
    if who == NO_ROLE:
        return {access.ANYONE, access.SIGNED_IN}
    return {access.ANYONE, access.SIGNED_IN, who}


def table_allows(who: str, entry: tuple[str, str]) -> bool:
    kind, name = entry
    return bool(access.who_may(kind, name) & audiences(who))


def in_the_table() -> set[tuple[str, str]]:
    return {
        (kind, name)
        for entry in access.ACCESS.values()
        for kind in ("pages", "endpoints")
        for name in getattr(entry, kind)
    }


@pytest.fixture
def people(world):
    return {
        STAFF: world.attacker,  # who requested world.own_ticket
        TECH: world.technician,
        MANAGER: world.manager,
        ADMIN: world.admin,
        ADVISOR: world.advisor,
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
    if endpoint.name.startswith("article-"):
        values["pk"] = world.article.pk
    values["reference"] = world.article.reference
    if endpoint.name == "saved_filter_delete":
        values["pk"] = world.saved_filter.pk
    values["ticket_id"] = world.own_ticket.pk
    return values


def test_every_url_has_an_access_rule():
    urls = set()
    for endpoint in all_endpoints():
        # Django admin's own pages are its business (is_staff, then the model permissions of
        # access.ROLE_GRANTS); its index is the one the navigation offers.
        if not endpoint.is_admin or endpoint.name == "admin:index":
            urls |= endpoint.access_entries()
    table = in_the_table()
    assert sorted(urls - table) == [], "Say in common/access.py ACCESS who may open these URLs"
    assert sorted(table - urls) == [], "ACCESS names URLs that no longer exist"
    decided_later = {name for kind, name in table if name in access.DECIDED_AFTER_SCOPE}
    assert decided_later == access.DECIDED_AFTER_SCOPE, "DECIDED_AFTER_SCOPE names what ACCESS does not"


def test_the_navigation_and_the_homes_offer_only_what_the_table_opens():
    from servicedesk import navigation

    for role in access.ROLES:
        assert table_allows(role, ("pages", navigation.HOME_URL_NAMES[role])), role
    for place in navigation.PLACES:
        assert access.who_may("pages", place.url_name), place.label


def refused(who: str, endpoint: Endpoint, entry: tuple[str, str], response) -> bool:
    code = response.status_code
    to_login = code == 302 and response["Location"].startswith("/accounts/login/")
    if who == ANONYMOUS:
        return code in (401, 403) if endpoint.is_api else to_login
    if entry[1] in access.DECIDED_AFTER_SCOPE:
        return code in (403, 404)  # a person without a role sees no ticket: its 404 comes first
    return code == 403


def let_in(response) -> bool:
    """Past the door: neither sent to sign in nor refused (what the page then answers, a 400 for a missing
    parameter or a 404 for a file not built yet, is the page's own business)."""
    code = response.status_code
    to_login = code == 302 and response["Location"].startswith(("/accounts/login/", "/admin/login/"))
    return code not in (401, 403) and not to_login


def test_each_role_gets_what_the_access_table_gives_it(world, people):
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
            entry = endpoint.access_entry("get")
            if response.status_code == 405:
                # A URL without GET: the decision is its POST's (an empty POST changes nothing).
                entry = endpoint.access_entry("post")
                if not table_allows(who, entry):
                    response = client.post(url)
            allowed = table_allows(who, entry) and endpoint.name not in EXPLAINED_REFUSALS
            method, code = response.request["REQUEST_METHOD"], response.status_code
            assert code < 500, f"{who}: {method} {url} -> {code}"
            if not (let_in(response) if allowed else refused(who, endpoint, entry, response)):
                wrong.append(f"{who}: {method} {url} -> {code} ({entry[1]}: allowed {allowed})")
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
