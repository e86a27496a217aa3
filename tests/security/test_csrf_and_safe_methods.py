"""Item 10: a POST (PUT, PATCH, DELETE) without a CSRF token is refused on every URL, pages and the API's
session auth alike; and no GET, on any URL, by any role, changes a row.

Both sweeps are generated from the URL conf, like the access matrices.
"""

from __future__ import annotations

import pytest
from django.test import Client

from incidents.models import SatisfactionRating
from incidents.notifications import rating_url
from incidents.services import ticket_change_status

from .conftest import database_fingerprint
from .endpoints import all_endpoints
from .test_role_matrix import own_values

pytestmark = pytest.mark.django_db

# URLs where a missing CSRF token is not refused, each with the reason it is safe.
CSRF_EXEMPT = {
    # The token sign-in (accounts/api.py TokenView): no session is read or made; it answers a token only
    # to whoever sends the password, and another site's page cannot read that answer (same-origin policy,
    # no CORS headers).
    "api_token": "token sign-in takes the password itself; no ambient session",
    # Alertmanager's webhook (outages/api.py): no session is read (no authentication classes), the bearer
    # token in the header is the credential, which another site's page cannot send; a call without it is a
    # 401 that records nothing (tests/outages/test_api.py).
    "outage_alertmanager": "the shared bearer token is the credential; no ambient session",
}


# DRF views that answer in HTML show the project's 403 page, which does not repeat DRF's reason.
HTML_API_PAGES = frozenset({"api_docs", "api_redoc"})


def csrf_refused(response, name: str = "") -> bool:
    return response.status_code == 403 and (b"CSRF" in response.content or name in HTML_API_PAGES)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_every_url_refuses_a_change_without_a_csrf_token(world, method):
    """Signed in as the Admin role (who may reach the most), without a token: 403 CSRF everywhere."""
    strict = Client(enforce_csrf_checks=True)
    before = database_fingerprint(world.media_root)
    missed = []
    for endpoint in all_endpoints():
        if endpoint.name in CSRF_EXEMPT:
            continue
        strict.force_login(world.admin)
        url = endpoint.url(own_values(world, endpoint))
        response = getattr(strict, method)(url, "{}", content_type="application/json")
        if method == "post" and not endpoint.is_api:
            response = strict.post(url, {"body": "x"})
        if not csrf_refused(response, endpoint.name):
            missed.append(f"{method.upper()} {url} -> {response.status_code}")
    assert missed == [], "\n".join(missed)
    assert database_fingerprint(world.media_root) == before


def test_sign_in_and_the_rating_link_need_a_token_too(world):
    """Forms used without a session (sign-in, password reset, the rating link) are still CSRF-checked."""
    resolved = world.own_ticket
    ticket_change_status(
        ticket=resolved, to="resolved", by=world.technician, resolution_code="fixed", resolution_note="ok"
    )
    strict = Client(enforce_csrf_checks=True)
    assert csrf_refused(strict.post("/accounts/login/", {"username": "nomsa", "password": "x"}))
    assert csrf_refused(strict.post("/accounts/password_reset/", {"email": world.victim.email}))
    link = rating_url(resolved)
    assert csrf_refused(strict.post(link, {"score": 1}))
    assert not SatisfactionRating.objects.filter(ticket=resolved).exists()


def test_with_the_token_the_same_post_goes_through(world):
    """The control: the refusals above are the token's doing (a reply with the token is saved)."""
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.attacker)
    page = strict.get(f"/tickets/{world.own_ticket.pk}/")
    token = page.cookies["csrftoken"].value
    response = strict.post(
        f"/tickets/{world.own_ticket.pk}/reply/",
        {"body": "Still jammed", "version": world.own_ticket.version, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert world.own_ticket.comments.filter(body="Still jammed").exists()


def test_no_get_changes_a_row(world):
    """Every URL, GET, as every role, anonymous and a person with no role: every watched row (updated_at
    included) and the attachment storage are as before."""
    from .test_role_matrix import ANONYMOUS, NO_ROLE

    people = {
        "staff": world.attacker,
        "technician": world.technician,
        "manager": world.manager,
        "admin": world.admin,
        NO_ROLE: world.no_role,
        ANONYMOUS: None,
    }
    client = Client()
    before = database_fingerprint(world.media_root)
    for endpoint in all_endpoints():
        url = endpoint.url(own_values(world, endpoint))
        # Only the Admin role gets past the admin's sign-in (test_role_matrix): the others' GETs there
        # all end at the same redirect.
        for who, user in people.items():
            if endpoint.is_admin and who not in ("admin", ANONYMOUS):
                continue
            client.logout()
            if user is not None:
                client.force_login(user)
            client.get(url)
    assert database_fingerprint(world.media_root) == before


def test_opening_a_rating_link_with_a_score_records_nothing(world):
    ticket_change_status(
        ticket=world.own_ticket,
        to="resolved",
        by=world.technician,
        resolution_code="fixed",
        resolution_note="ok",
    )
    response = Client().get(rating_url(world.own_ticket, score=1))
    assert response.status_code == 200
    assert not SatisfactionRating.objects.filter(ticket=world.own_ticket).exists()
