"""Item 1 and 2: a requester reaches for another requester's objects through every URL the project has.

The matrix is generated from the URL conf (pages, the DRF router, Django admin): every pattern that takes
an argument is called with the victim's object in each method, and every pattern without one is read
for the victim's words. A pattern added tomorrow is either classified in OBJECT_RULES below or this test
fails and names it; nothing is covered by someone remembering to.

What must happen: the victim's ticket, replies and files are a 404 (their existence is not confirmed:
the same answer as for an id that does not exist), role-restricted pages are a 403, the admin sends a
requester to its own sign-in, and the database and attachment storage are unchanged afterwards.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from slas.models import BusinessCalendar, ServiceLevelAgreement

from .conftest import VICTIM, database_fingerprint
from .endpoints import Endpoint, all_endpoints, format_values, resolves_to

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
WRITES = METHODS[1:]

# What a hostile write sends: every field an attacker would like to set, in one body.
HOSTILE = {
    "body": "pwned",
    "status": "closed",
    "to": "closed",
    "assignee": "",
    "summary": "pwned",
    "score": 1,
    "comment": "pwned",
    "internal": "on",
    "version": 99,
    "name": "pwned",
    "query": "status=new",
    "commentary": "pwned",
    "new_password1": "Pwned-by-someone-2026",
    "new_password2": "Pwned-by-someone-2026",
}

# How each endpoint that takes an argument is attacked. kind:
#   hidden    - the victim's object: every method 404 (or 405 for a method the route does not have)
#   hidden_read - read as hidden (404), while a write is refused to the role before any look-up (403)
#   role      - a page or endpoint the requester's role may not use at all: 403 (or 405)
#   reference - shared reference data every signed-in person reads (sites, assets, catalogue, SLAs):
#               reading is allowed, writing is 403/405, and the page must not show the victim's ticket
#   token     - a capability in the URL (signed rating link): a forged one is refused, 400/404
#   reset     - the password reset link for the victim with a made-up token: the victim's password stays
#   admin     - Django admin: a requester is sent to the admin's sign-in for every URL and method
# "as": which attacker (default: the other requester); "pk": which object fills `pk`.
OBJECT_RULES: dict[str, dict] = {
    **{
        name: {"kind": "hidden"}
        for name in (
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
            "ticket-detail",
            "ticket-assign",
            "ticket-attachments",
            "ticket-comments",
            "ticket-attachment-download",
            "ticket-rating",
            "ticket-take",
            "ticket-transition",
            "ticket-operational-clocks",
        )
    },
    # A technician deleting another technician's saved queue view.
    "saved_filter_delete": {"kind": "hidden", "as": "technician", "pk": "saved_filter"},
    **{
        name: {"kind": "role", "pk": "report_run"}
        for name in (
            "reports:run_detail",
            "reports:run_progress",
            "reports:run_commentary",
            "reports:run_sign_off",
            "reports:run_retry",
            "reports:run_download",
            "report-run-detail",
            "report-run-retry",
        )
    },
    # The original mail behind a ticket: the desk's page only.
    "mail_headers": {"kind": "role"},
    # Change management: a requester (Staff) may open no change page or endpoint but the calendar.
    **{
        name: {"kind": "role", "pk": "change"}
        for name in (
            "changes:change_detail",
            "changes:change_edit",
            "changes:change_transition",
            "changes:change_link",
            "change-detail",
            "change-transition",
            "change-incidents",
            "change-conflicts",
        )
    },
    # Problems: the service desk's; a requester's role may not reach any of them.
    **{
        name: {"kind": "role", "pk": "problem"}
        for name in (
            "problems:problem_detail",
            "problems:problem_edit",
            "problems:problem_status",
            "problems:problem_unlink",
            "problems:workaround_apply",
            "knowledge:article_from_problem",  # the known error's workaround for staff, published
            "problem-detail",
            "problem-incidents",
        )
    },
    "problems:problem_link": {"kind": "role"},
    # The links between changes and problems, changes and incidents (changes' forms on the problem page
    # and the ticket page): the desk's; a requester's role may not post them.
    "changes:problem_fix": {"kind": "role"},
    "changes:ticket_caused_by": {"kind": "role"},
    # The improvement register: the ICT manager's.
    "problems:improvement_edit": {"kind": "role"},
    "improvement-detail": {"kind": "role"},
    "problems:proposal_accept": {"kind": "role", "pk": "proposal"},
    "problems:proposal_dismiss": {"kind": "role", "pk": "proposal"},
    "sites:site_detail": {"kind": "reference"},
    "sites:site_labels": {"kind": "reference"},
    "sites:asset_detail": {"kind": "reference"},
    "sites:asset_qr": {"kind": "reference"},
    "asset_qr": {"kind": "reference"},
    "catalogue:service_detail": {"kind": "reference"},
    "site-detail": {"kind": "reference", "pk": "site"},
    "category-detail": {"kind": "reference", "pk": "category"},
    "service-detail": {"kind": "reference", "pk": "service"},
    "service-status": {"kind": "reference", "pk": "service"},
    "asset-detail": {"kind": "reference", "pk": "asset"},
    "sla-detail": {"kind": "reference", "pk": "sla"},
    "calendar-detail": {"kind": "reference", "pk": "calendar"},
    # Outages are the desk's to record and end; everyone reads them (no outage is anyone's object).
    "outages:outage_end": {"kind": "role"},
    "outages:outage_from_major": {"kind": "role"},
    "outages:outage_major_open": {"kind": "role"},
    "outages:outage_tickets_resolve": {"kind": "role"},
    "outage-detail": {"kind": "reference"},
    # Knowledge: a desk-only draft is a 404 to a requester by every path that reads or answers it; the
    # desk's own pages and actions are a 403 (the role may not use them at all).
    **{
        name: {"kind": "hidden", "pk": "hidden_article"}
        for name in (
            "knowledge:article",
            "knowledge:feedback",
            "knowledge:deflect",
            "knowledge:article_image",
            "article-feedback",
        )
    },
    # Read: the desk-only draft is a 404; write: the requester's role may not change articles at all, 403.
    "article-detail": {"kind": "hidden_read", "pk": "hidden_article"},
    **{
        name: {"kind": "role", "pk": "hidden_article"}
        for name in (
            "knowledge:article_edit",
            "knowledge:article_status",
            "knowledge:article_versions",
            "knowledge:article_version",
            "knowledge:article_restore",
            "knowledge:article_images",
            "article-transition",
        )
    },
    "knowledge:article_from_ticket": {"kind": "role"},
    "rate_by_link": {"kind": "token"},
    "password_reset_confirm": {"kind": "reset"},
}

ALLOWED = {
    "hidden": ({404, 405}, {404, 405}),
    "hidden_read": ({404, 405}, {403, 405}),
    "role": ({403, 405}, {403, 405}),
    "reference": ({200, 302, 403, 404, 405}, {403, 405}),
    "token": ({400, 404, 405}, {400, 404, 405}),
    "reset": ({200, 302}, {200, 302, 405}),
}


def values_for(world, endpoint: Endpoint, rule: dict) -> dict:
    victim = world.victim
    ticket = world.ticket
    pks = {
        None: ticket.pk,
        "saved_filter": world.saved_filter.pk,
        "report_run": world.report_run.pk,
        "site": ticket.site_id,
        "category": ticket.service.category_id,
        "service": ticket.service_id,
        "asset": world.asset.pk,
        "sla": ServiceLevelAgreement.objects.order_by("pk").first().pk,
        "calendar": BusinessCalendar.objects.order_by("pk").first().pk,
        "article": world.article.pk,
        "hidden_article": world.hidden_article.pk,
        "change": world.change.pk,
        "problem": world.problem.pk,
        "proposal": world.proposal.pk,
    }
    article = world.hidden_article if rule.get("pk") == "hidden_article" else world.article
    return {
        **format_values(),
        "pk": pks[rule.get("pk")],
        "file_pk": world.attachment.pk,
        "ticket_pk": ticket.pk,
        "problem_pk": world.problem.pk,
        "attachment_id": world.attachment.pk,
        "site_id": ticket.site_id,
        "ticket_id": ticket.pk,
        "asset_tag": world.asset.asset_tag,
        "service_id": ticket.service_id,
        "kind": "pdf",
        "token": "eyJ0aWNrZXQiOjF9:forged:signature",
        "uidb64": urlsafe_base64_encode(force_bytes(victim.pk)),
        # Admin routes: the victim's user row, the accounts app, the user content type.
        "object_id": victim.pk,
        "id": victim.pk,
        "app_label": "accounts",
        "content_type_id": ContentType.objects.get_for_model(get_user_model()).pk,
        "url": "nothing-here/",
        "positional": victim.pk,
        # Knowledge: a published article for staff, and its first version.
        "reference": article.reference,
        "number": 1,
        "image": world.hidden_image.pk,
    }


def call(client: Client, endpoint: Endpoint, method: str, url: str):
    if method == "get":
        return client.get(url)
    if endpoint.is_api:
        return getattr(client, method)(url, HOSTILE, content_type="application/json")
    if method == "post":
        return client.post(url, HOSTILE)
    return getattr(client, method)(url)


def object_endpoints() -> list[Endpoint]:
    return [e for e in all_endpoints() if set(e.arguments) - {"format"}]


def rule_for(endpoint: Endpoint) -> dict | None:
    if endpoint.is_admin:
        return {"kind": "admin"}
    return OBJECT_RULES.get(endpoint.name)


def test_every_pattern_that_takes_an_object_is_classified():
    """A new URL with an argument fails here until someone decides how it is attacked (OBJECT_RULES)."""
    unclassified = sorted({e.route for e in object_endpoints() if rule_for(e) is None})
    assert unclassified == [], f"Classify these URL patterns in OBJECT_RULES: {unclassified}"
    stale = sorted(set(OBJECT_RULES) - {e.name for e in all_endpoints()})
    assert stale == [], f"OBJECT_RULES names patterns that no longer exist: {stale}"


def test_a_requester_cannot_reach_another_requesters_objects_through_any_url(world):
    client = Client()
    failures = []
    before = database_fingerprint(world.media_root)
    victim_password = world.victim.password
    called = 0
    for endpoint in object_endpoints():
        rule = rule_for(endpoint)
        attacker = world.technician if rule.get("as") == "technician" else world.attacker
        url = endpoint.url(values_for(world, endpoint, rule))
        assert resolves_to(endpoint, url), f"{url} does not reach {endpoint.route}"
        for method in METHODS:
            client.force_login(attacker)
            response = call(client, endpoint, method, url)
            called += 1
            code = response.status_code
            if rule["kind"] == "admin":
                ok = code == 302 and response["Location"].startswith("/admin/login/")
            else:
                get_ok, write_ok = ALLOWED[rule["kind"]]
                ok = code in (get_ok if method == "get" else write_ok)
            body = b"" if response.streaming else response.content
            if not ok or VICTIM.encode() in body:
                failures.append(f"{method.upper()} {url} ({endpoint.name}) -> {code}")
    assert failures == [], "\n".join(failures)
    assert database_fingerprint(world.media_root) == before
    world.victim.refresh_from_db()
    assert world.victim.password == victim_password
    assert called > 200


def test_hidden_objects_answer_like_objects_that_do_not_exist(world):
    """404 for the victim's ticket and for id 999999 alike: an attacker cannot count other tickets."""
    client = Client()
    client.force_login(world.attacker)
    for endpoint in object_endpoints():
        rule = rule_for(endpoint)
        if rule.get("kind") not in ("hidden", "hidden_read") or rule.get("as"):
            continue
        values = values_for(world, endpoint, rule)
        real = call(client, endpoint, "get", endpoint.url(values))
        missing = call(
            client, endpoint, "get", endpoint.url({**values, "pk": 999_999, "reference": "KB-999999"})
        )
        assert real.status_code == missing.status_code, endpoint.route


def test_a_file_of_another_ticket_is_not_reached_through_ones_own_ticket(world):
    """The attacker's own ticket id with the victim's file id: the file must belong to that ticket."""
    client = Client()
    client.force_login(world.attacker)
    own, file_id = world.own_ticket.pk, world.attachment.pk
    assert client.get(f"/tickets/{own}/files/{file_id}/").status_code == 404
    assert client.get(f"/api/tickets/{own}/attachments/{file_id}/download/").status_code == 404


def test_files_without_signing_in_are_refused(world):
    """Item 2: an attachment URL without a session: sent to sign in (pages) or 401/403 (API)."""
    anonymous = Client()
    page = anonymous.get(f"/tickets/{world.ticket.pk}/files/{world.attachment.pk}/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    api = anonymous.get(f"/api/tickets/{world.ticket.pk}/attachments/{world.attachment.pk}/download/")
    assert api.status_code in (401, 403)
    assert VICTIM.encode() not in page.content + api.content


# Words from the victim's ticket, not the marker itself: a search box echoes what was searched for.
SEARCHES = ("", "?q=sticky+note", "?search=Winter2026", "?q=INC-{ticket}", "?page=1&page_size=1000")


def test_no_list_search_or_export_shows_the_victims_rows(world):
    """Every URL without an object argument (lists, search, exports, schema, dashboards), read by the
    attacker with and without a search for the victim's words: the victim's text never appears."""
    client = Client()
    client.force_login(world.attacker)
    leaks = []
    for endpoint in all_endpoints():
        if endpoint.is_admin or set(endpoint.arguments) - {"format"}:
            continue
        base = endpoint.url(format_values())
        for query in SEARCHES:
            response = client.get(base + query.format(ticket=f"{world.ticket.pk:06d}"))
            body = b"" if response.streaming else response.content
            if response.streaming:
                body = b"".join(response.streaming_content)
            if VICTIM.encode() in body:
                leaks.append(f"GET {base}{query} -> {response.status_code}")
    assert leaks == []


def test_lists_show_only_the_requesters_own_tickets(world):
    client = Client()
    client.force_login(world.attacker)
    api = client.get("/api/tickets/").json()
    assert [row["id"] for row in api["results"]] == [world.own_ticket.pk]
    page = client.get("/tickets/")
    assert world.own_ticket.summary.encode() in page.content.replace(b"&#x27;", b"'")
    assert VICTIM.encode() not in page.content


def test_internal_notes_and_files_stay_internal_on_ones_own_ticket(world):
    """The requester's own ticket: the service desk's internal note and internal file are not theirs."""
    from incidents import services

    from .conftest import PNG

    secret = "INTERNAL-ONLY supplier contract number 4471"
    services.ticket_comment(
        ticket=world.own_ticket,
        by=world.technician,
        body=secret,
        internal=True,
        files=[SimpleUploadedFile("internal-only.png", PNG)],
    )
    internal_file = world.own_ticket.attachments.get(original_name="internal-only.png")
    client = Client()
    client.force_login(world.attacker)
    pk = world.own_ticket.pk
    for url in (
        f"/tickets/{pk}/",
        f"/api/tickets/{pk}/",
        f"/api/tickets/{pk}/comments/",
        f"/api/tickets/{pk}/attachments/",
    ):
        body = client.get(url).content
        assert secret.encode() not in body and b"internal-only.png" not in body, url
    assert client.get(f"/tickets/{pk}/files/{internal_file.pk}/").status_code == 404
    assert client.get(f"/api/tickets/{pk}/attachments/{internal_file.pk}/download/").status_code == 404
