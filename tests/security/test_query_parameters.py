"""Item 7: filters, search and ordering given unknown fields, `__` lookups, `_connector=OR` and SQL.

Every list endpoint of the API router (and the pages with filters) is called with hostile parameters:
the answer is a 400 or the parameter is ignored (the same rows as without it), never a 500 and never more
rows. Two spellings of a password-prefix probe must give the same answer (no oracle), and sort fields come
from an allow-list (a field outside it is a 400 or has no effect).
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from servicedesk.api import router

from .endpoints import all_endpoints, format_values

pytestmark = pytest.mark.django_db

IGNORED_OR_REFUSED = (
    {"requester": "{victim}"},
    {"requester__username": "ayanda"},
    {"requester__is_superuser": "true"},
    {"requester__password__startswith": "md5$"},
    {"description__regex": ".*"},
    {"summary__icontains": "VICTIM"},
    {"pk__in": "1,2,3,4,5,6,7,8,9"},
    {"_connector": "OR"},
    {"_connector": "OR", "requester": "{victim}"},
    {"_negated": "true"},
    {"status": "new' OR '1'='1"},
    {"site": "1 OR 1=1"},
    {"ordering": "requester__password"},
    {"ordering": "-requester__password"},
    {"ordering": "requester__email"},
    {"ordering": "(SELECT 1)"},
    {"ordering": "pk;DROP TABLE incidents_ticket"},
    {"ordering": "?"},
    {"page_size": "100000"},
    {"limit": "100000"},
    {"format": "xml"},
)
SQL_TEXT = (
    "' OR 1=1--",
    "' OR '1'='1",
    "1; DROP TABLE incidents_ticket;--",
    "%' UNION SELECT password FROM accounts_user--",
    "\\'; SELECT pg_sleep(5);--",
    "\x00",
)


def list_urls() -> list[str]:
    """Every list route of the API router."""
    return [f"/api/{prefix}/" for prefix, _viewset, _basename in router.registry]


def ids(response) -> list | None:
    body = response.json()
    rows = body.get("results", body) if isinstance(body, dict) else body
    if not isinstance(rows, list):
        return None
    return [row.get("id", row.get("pk", repr(row))) if isinstance(row, dict) else repr(row) for row in rows]


@pytest.mark.parametrize("who", ["attacker", "technician", "manager"])
def test_hostile_filters_and_orderings_are_refused_or_ignored_on_every_api_list(world, who):
    api = APIClient()
    api.force_login(getattr(world, who))
    wrong = []
    for url in list_urls():
        baseline = api.get(url)
        if baseline.status_code != 200:
            continue  # not this role's list (test_role_matrix)
        expected = ids(baseline)
        for params in IGNORED_OR_REFUSED:
            params = {k: v.format(victim=world.victim.pk) for k, v in params.items()}
            response = api.get(url, params)
            if response.status_code == 400 or ("format" in params and response.status_code == 404):
                continue  # refused (DRF answers an unknown ?format= with a 404)
            if response.status_code != 200:
                wrong.append(f"{url} {params} -> {response.status_code}")
            elif params.get("format") is None and ids(response) != expected:
                wrong.append(f"{url} {params}: other rows than without it")
    assert wrong == [], "\n".join(wrong)


def test_no_password_prefix_oracle(world):
    """If a lookup on the password hash were honoured, two prefixes would answer differently."""
    api = APIClient()
    api.force_login(world.technician)
    for url in list_urls():
        answers = {
            prefix: (r.status_code, ids(r) if r.status_code == 200 else None)
            for prefix in ("md5$", "zzzz")
            for r in [
                api.get(
                    url, {"requester__password__startswith": prefix, "user__password__startswith": prefix}
                )
            ]
        }
        assert answers["md5$"] == answers["zzzz"], url


@pytest.mark.parametrize("who", ["attacker", "technician"])
def test_sql_in_search_and_filters_finds_nothing_it_should_not(world, who):
    api = APIClient()
    api.force_login(getattr(world, who))
    for url in list_urls():
        baseline = api.get(url)
        if baseline.status_code != 200:
            continue
        allowed = set(ids(baseline) or [])
        for text in SQL_TEXT:
            for name in ("q", "search", "asset", "town"):
                response = api.get(url, {name: text})
                assert response.status_code in (200, 400), (url, name, text, response.status_code)
                if response.status_code == 200 and ids(response) is not None:
                    assert set(ids(response)) <= allowed, (url, name, text)


def test_ticket_sorting_comes_from_an_allow_list(world):
    api = APIClient()
    api.force_login(world.technician)
    for allowed in ("priority", "-due", "created", "-updated", "status", "response_due"):
        assert api.get("/api/tickets/", {"ordering": allowed}).status_code == 200, allowed
    for refused in ("summary", "requester", "requester__password", "description", "assignee__email"):
        response = api.get("/api/tickets/", {"ordering": refused})
        assert response.status_code == 400, refused
        assert "ordering" in response.json()


def test_pages_with_filters_never_fail_on_hostile_parameters(world):
    """Every page without an object argument, as a technician, a manager and a requester (who must not
    see the victim's ticket through any of them), with the same parameters."""
    client = Client()
    wrong = []
    for user in (world.technician, world.attacker, world.manager):
        client.force_login(user)
        for endpoint in all_endpoints():
            if endpoint.is_admin or endpoint.is_api or set(endpoint.arguments) - {"format"}:
                continue
            url = endpoint.url(format_values())
            for params in (*IGNORED_OR_REFUSED, *({"q": text} for text in SQL_TEXT)):
                params = {k: v.format(victim=world.victim.pk) for k, v in params.items()}
                response = client.get(url, params)
                if response.status_code >= 500:
                    wrong.append(f"{url} {params} -> {response.status_code}")
                body = b"" if response.streaming else response.content
                if user == world.attacker and b"VICTIM7f3a" in body:
                    wrong.append(f"{url} {params}: shows the victim's ticket")
    assert wrong == [], "\n".join(wrong)
