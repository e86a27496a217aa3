"""Every page of every role, in Debian's Chromium at phone (390x844) and desktop (1366x900) widths.

For each page: it answers 200; nothing is wider than the viewport; no table is clipped (a table may scroll
only inside a container that visibly is one: named, focusable and edged); radio and checkbox inputs are no
wider than their label's line; every request goes to the live server itself; the page has a
Content-Security-Policy and the browser refuses nothing of its own under it; axe-core finds no serious or
critical violation and every input has a label. A screenshot of each page at each width is kept under
var/screenshots/ (git-ignored) for a reviewer and for CI's artefacts.

The pages come from the URL resolver: every route is either a page in PAGES (with the demo objects its
arguments need and the roles it is for) or in NOT_PAGES with the reason; a new route fails
test_every_route_is_a_checked_page_or_says_why_not until it is put in one of them. Admin pages come from
the admin index as the admin sees it (every model's list and add form it offers).

The demo desk (demo users and a short demo history) is loaded once for the module and committed, so one
browser context per role serves every page; the module leaves the database as the migrations left it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Browser, BrowserContext, Page

from common import access as roles

# Each test runs in a transaction of its own (rolled back); the demo desk the live server reads was
# committed once for the module, before them.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "var" / "screenshots"))
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
ANONYMOUS = "anonymous"
ALL = (roles.STAFF, roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)
DESK = (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)
DEMO_USERNAMES = {
    roles.STAFF: "staff",
    roles.TECHNICIAN: "technician",
    roles.MANAGER: "manager",
    roles.ADMIN: "admin",
}


@dataclass(frozen=True)
class PageSpec:
    roles: tuple[str, ...]
    # The URL's arguments from the demo objects (a dict of name -> value), or none.
    kwargs: object = None
    # Its query string from the demo objects, for a page that needs one.
    query: object = None


def _ticket(o):
    return {"pk": o.ticket.pk}


PAGES: dict[str, PageSpec] = {
    "login": PageSpec((ANONYMOUS,)),
    "password_reset": PageSpec((ANONYMOUS,)),
    "password_reset_done": PageSpec((ANONYMOUS,)),
    "password_reset_confirm": PageSpec((ANONYMOUS,), lambda o: o.reset),
    "password_reset_complete": PageSpec((ANONYMOUS,)),
    "password_change": PageSpec(ALL),
    "password_change_done": PageSpec(ALL),
    "my_tickets": PageSpec((roles.STAFF,)),
    "ticket_new": PageSpec(ALL),
    "ticket_detail": PageSpec(ALL, _ticket),
    "mail_headers": PageSpec(
        (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN), lambda o: {"pk": o.mailed_ticket.pk}
    ),
    "rate_by_link": PageSpec((roles.STAFF,), lambda o: {"token": o.rating_token}),
    "work_queue": PageSpec((roles.TECHNICIAN,)),
    "sites:site_list": PageSpec(ALL),
    "sites:site_detail": PageSpec(ALL, lambda o: {"site_id": o.site.pk}),
    "sites:site_labels": PageSpec(
        (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN), lambda o: {"site_id": o.site.pk}
    ),
    "sites:asset_list": PageSpec(ALL),
    "sites:asset_detail": PageSpec(ALL, lambda o: {"asset_tag": o.asset.asset_tag}),
    "catalogue:catalogue": PageSpec(ALL),
    "catalogue:service_detail": PageSpec(ALL, lambda o: {"service_id": o.service.pk}),
    "dashboard": PageSpec((roles.MANAGER, roles.ADMIN)),
    "reports:runs": PageSpec((roles.MANAGER, roles.ADMIN)),
    "reports:tickets": PageSpec(
        (roles.MANAGER, roles.ADMIN), query=lambda o: f"?figure=logged&month={o.month}"
    ),
    "reports:run_detail": PageSpec((roles.MANAGER, roles.ADMIN), lambda o: {"pk": o.run.pk}),
    "outages:outage_list": PageSpec(ALL),
    "outages:outage_new": PageSpec((roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    "outages:load_shedding": PageSpec((roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    "knowledge:help": PageSpec(ALL),
    "knowledge:article": PageSpec(ALL, lambda o: {"reference": o.article.reference}),
    "knowledge:desk": PageSpec((roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    "knowledge:article_new": PageSpec((roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    "knowledge:article_edit": PageSpec(
        (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN), lambda o: {"reference": o.article.reference}
    ),
    "knowledge:article_versions": PageSpec(
        (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN), lambda o: {"reference": o.article.reference}
    ),
    "knowledge:article_images": PageSpec(
        (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN), lambda o: {"reference": o.article.reference}
    ),
    "knowledge:article_version": PageSpec(
        (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN),
        lambda o: {"reference": o.article.reference, "number": 1},
    ),
    "changes:change_list": PageSpec((roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    "changes:change_new": PageSpec((roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    "changes:change_detail": PageSpec(
        (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN), lambda o: {"pk": o.change.pk}
    ),
    "changes:change_edit": PageSpec(
        (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN), lambda o: {"pk": o.change.pk}
    ),
    "changes:calendar": PageSpec(ALL),
    "problems:problem_list": PageSpec(DESK),
    "problems:problem_new": PageSpec(DESK),
    "problems:problem_detail": PageSpec(DESK, lambda o: {"pk": o.problem.pk}),
    "problems:problem_edit": PageSpec(DESK, lambda o: {"pk": o.problem.pk}),
    "problems:improvement_list": PageSpec((roles.MANAGER, roles.ADMIN)),
    "problems:improvement_new": PageSpec((roles.MANAGER, roles.ADMIN)),
    "problems:improvement_edit": PageSpec((roles.MANAGER, roles.ADMIN), lambda o: {"pk": o.improvement.pk}),
    "api_docs": PageSpec((roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    "api_redoc": PageSpec((roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
}

NOT_PAGES = {
    "home": "redirects to the role's home page",
    "no_role": "for a person in no role (tests/servicedesk/test_roles.py)",
    "healthz": "JSON for monitors",
    "outage_alertmanager": "monitoring's webhook (JSON, POST only)",
    "favicon": "redirects to the icon",
    "asset_qr": "a label's QR code: redirects to the log form",
    "sites:asset_qr": "a label's QR code: redirects to the log form",
    "logout": "POST only",
    "sign_out_everywhere": "POST only: the button on the password-change page",
    "ticket_new_questions": "an htmx fragment of the log form",
    "knowledge:suggest": "a fragment of the log form (suggested articles)",
    "ticket_update_form": "an htmx fragment of the ticket page",
    "ticket_major_link_form": "an htmx fragment of the ticket page",
    "reports:run_progress": "the run page's progress answer (JSON)",
    "attachment_download": "a file download",
    "knowledge:article_image": "a picture of an article (a file)",
    "reports:run_download": "a file download",
    **dict.fromkeys(
        (
            "ticket_reply",
            "ticket_status",
            "ticket_take",
            "ticket_assign",
            "ticket_update",
            "ticket_rate",
            "ticket_major_link",
            "ticket_major_update",
            "queue_major_link",
            "saved_filter_save",
            "saved_filter_delete",
            "reports:run_commentary",
            "reports:run_sign_off",
            "reports:run_retry",
            "outages:outage_end",
            "outages:outage_from_major",
            "outages:outage_major_open",
            "outages:outage_tickets_resolve",
            "knowledge:feedback",
            "knowledge:deflect",
            "knowledge:article_status",
            "knowledge:article_restore",
            "knowledge:article_from_ticket",
            "knowledge:article_from_problem",
            "changes:change_transition",
            "changes:change_link",
            "changes:problem_fix",
            "changes:ticket_caused_by",
            "problems:problem_status",
            "problems:problem_link",
            "problems:problem_unlink",
            "problems:queue_link",
            "problems:workaround_apply",
            "problems:proposal_accept",
            "problems:proposal_dismiss",
        ),
        "POST only: a form's action",
    ),
}

# Defects this test finds on pages that other work is still fixing: each exact case that fails today is
# marked here with its reason, and the mark goes when the fix lands (strict: a case that starts passing
# fails until it is unmarked). None is open now.
KNOWN_DEFECTS: dict[tuple[str, str, str], str] = {}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def routes():
    """(route, name) of every URL pattern, namespaced names as reverse() takes them."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver().url_patterns))


def _is_api_or_admin(route: str) -> bool:
    return route.startswith(("admin/", "api/")) and not route.startswith(("api/docs/", "api/redoc/"))


def page_cases():
    for name, spec in PAGES.items():
        for role in spec.roles:
            for width in WIDTHS:
                marks = []
                reason = KNOWN_DEFECTS.get((role, name, width))
                if reason:
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
                yield pytest.param(role, name, width, id=f"{role}-{name}-{width}", marks=marks)


def admin_urls(user) -> list[str]:
    """The admin index, and each model list and add form the admin index offers this user."""
    from django.test import RequestFactory

    request = RequestFactory().get(reverse("admin:index"))
    request.user = user
    urls = [reverse("admin:index")]
    for app in admin.site.get_app_list(request):
        for model in app["models"]:
            urls += [url for url in (model.get("admin_url"), model.get("add_url")) if url]
    return urls


# --- the demo desk, once for the module ---------------------------------------------------------------


def _problem_and_improvement(users, ticket):
    """The demo's recurring fault (a known error with its incidents) and an improvement action on it."""
    import datetime

    from problems import services as problems
    from problems.models import Problem

    problem = Problem.objects.order_by("pk").first() or problems.problem_log(
        by=users[roles.TECHNICIAN], summary="Printer queue stalls after a power dip", service=ticket.service
    )
    improvement = problems.improvement_raise(
        by=users[roles.MANAGER],
        what="Replace the UPS batteries at the remote sites",
        reason="problem",
        problem=problem,
        owner=users[roles.MANAGER],
        due_on=datetime.date(2026, 1, 31),
    )
    return problem, improvement


@pytest.fixture(scope="module")
def desk(django_db_setup, django_db_blocker, tmp_path_factory):
    from pytest_django.live_server_helper import LiveServer

    from changes.models import Change
    from incidents.models import Status, Ticket
    from incidents.notifications import rating_token
    from knowledge.models import Article
    from reports.models import ReportRun
    from reports.periods import previous_month
    from servicedesk import demo, demo_changes, demo_history
    from sites.models import Asset, Site
    from tests.migration_data import load_migration_data

    overrides = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        DEVELOPMENT=True,  # demo data
    )
    with django_db_blocker.unblock(), overrides:
        call_command("flush", interactive=False, verbosity=0)
        load_migration_data()
        demo.demo_data_load()
        demo_history.demo_history_load(tickets=80, seed=5)
        demo_changes.demo_changes_load()
        from django.contrib.auth import get_user_model
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        users = {role: get_user_model().objects.get(username=name) for role, name in DEMO_USERNAMES.items()}
        staff = users[roles.STAFF]
        # A resolved ticket of the staff member's: its page shows the most (the rating form too).
        resolved = Ticket.objects.filter(requester=staff, status=Status.RESOLVED).order_by("pk").first()
        ticket = resolved or Ticket.objects.filter(requester=staff).order_by("pk").first()
        asset = Asset.objects.filter(site=staff.site).order_by("pk").first() or Asset.objects.first()
        problem, improvement = _problem_and_improvement(users, ticket)
        objects = SimpleNamespace(
            mailed_ticket=_mailed_ticket(staff, ticket.service),
            problem=problem,
            improvement=improvement,
            ticket=ticket,
            rating_token=rating_token(ticket),
            site=staff.site or Site.objects.first(),
            asset=asset,
            service=ticket.service,
            article=Article.objects.filter(status="published", audience="staff").order_by("pk").first(),
            month=previous_month().strftime("%Y-%m"),
            # A change still ahead: its page shows steps, and its edit form is open.
            change=Change.objects.filter(status="scheduled").order_by("pk").first(),
            run=ReportRun.objects.create(month=previous_month(), version=1),
            reset={
                "uidb64": urlsafe_base64_encode(force_bytes(staff.pk)),
                "token": default_token_generator.make_token(staff),
            },
        )
        sessions = {}
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies["sessionid"].value
        server = LiveServer("localhost")
        try:
            yield SimpleNamespace(url=server.url, objects=objects, sessions=sessions, users=users)
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            load_migration_data()


def _mailed_ticket(staff, service):
    """A ticket that came by mail (mailin), for the page of its original headers."""
    from email.message import EmailMessage

    from mailin.models import InboundMessage, Mailbox
    from mailin.services import message_ingest

    mailbox = Mailbox.objects.create(
        name="ICT desk", address="ict@mbashe.gov.za", service=service, site=staff.site
    )
    message = EmailMessage()
    message["From"] = f"{staff.get_full_name()} <{staff.email}>"
    message["To"] = mailbox.address
    message["Subject"] = "Printer on the first floor prints blank pages"
    message["Message-ID"] = "<every-page-1@mbashe.gov.za>"
    message["Received"] = (
        "from mail.mbashe.gov.za (mail.mbashe.gov.za [10.1.1.5]) by desk with ESMTPS id 4F2; " * 3
    )
    message["Authentication-Results"] = "mail.mbashe.gov.za; spf=pass smtp.mailfrom=mbashe.gov.za; dkim=pass"
    message.set_content("Since this morning every page comes out blank.")
    message_ingest(raw=message.as_bytes(), mailbox=mailbox, via="pipe")
    return InboundMessage.objects.get(key="every-page-1@mbashe.gov.za").ticket


@pytest.fixture(scope="module")
def contexts(browser: Browser, desk):
    """One browser context (and page) per role, signed in once, reused for every page of that role."""
    made: dict[str, tuple[BrowserContext, Page]] = {}

    def context_for(role: str) -> Page:
        if role not in made:
            context = browser.new_context()
            if role != ANONYMOUS:
                context.add_cookies([{"name": "sessionid", "value": desk.sessions[role], "url": desk.url}])
            page = context.new_page()
            page.set_default_timeout(20_000)
            made[role] = (context, page)
        return made[role][1]

    yield context_for
    for context, _ in made.values():
        context.close()


# --- what is checked on each page ---------------------------------------------------------------------

LAYOUT = (Path(__file__).parent / "page_layout.js").read_text()

AXE = Axe()


def check_page(page: Page, base: str, url: str, shot: Path) -> list[str]:
    """Everything this module asserts of one page, as a list of problems (empty: all good)."""
    origin = urlsplit(base)
    elsewhere: list[str] = []

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if (parts.hostname, parts.port) != (origin.hostname, origin.port):
            elsewhere.append(request.url)

    def on_failed(request):
        # The page's Content-Security-Policy stopped it in the browser: nothing left the machine.
        if request.failure in ("csp", "net::ERR_BLOCKED_BY_CSP") and request.url in elsewhere:
            elsewhere.remove(request.url)

    refused: list[str] = []

    def on_console(message):
        # The page's own scripts, styles or images refused by its Content-Security-Policy (another
        # host's refused is what the policy is for: counted by on_request/on_failed above).
        text = message.text
        if "Content Security Policy" in text and ("'http" not in text or f"'{base}" in text):
            refused.append(text[:200])

    page.on("request", on_request)
    page.on("requestfailed", on_failed)
    page.on("console", on_console)
    try:
        answer = page.goto(base + url, wait_until="load")
        # Pages drawn by script (the API docs fetch the schema, then render) are checked once drawn.
        page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("request", on_request)
        page.remove_listener("requestfailed", on_failed)
        page.remove_listener("console", on_console)
    problems = [f"asked another host for {address}" for address in elsewhere]
    problems += [f"refused by the Content-Security-Policy: {text}" for text in refused]
    if answer is not None and "content-security-policy" not in answer.headers:
        problems.append("no Content-Security-Policy header")
    if answer is None or answer.status != 200:
        return [*problems, f"answered {answer and answer.status} at {page.url}"]
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    problems += page.evaluate(LAYOUT)
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} at {targets}")
    return problems


# --- the tests ----------------------------------------------------------------------------------------


def test_every_route_is_a_checked_page_or_says_why_not():
    unclassified = [
        (route, name)
        for route, name in routes()
        if not _is_api_or_admin(route) and name not in PAGES and name not in NOT_PAGES
    ]
    assert unclassified == [], "put each new route in PAGES (with its roles) or NOT_PAGES (with the reason)"
    assert not set(PAGES) & set(NOT_PAGES)


@pytest.mark.parametrize(("role", "name", "width"), list(page_cases()))
def test_page(contexts, desk, role, name, width):
    spec = PAGES[name]
    url = reverse(name, kwargs=spec.kwargs(desk.objects) if spec.kwargs else None)
    url += spec.query(desk.objects) if spec.query else ""
    page = contexts(role)
    page.set_viewport_size(WIDTHS[width])

    problems = check_page(page, desk.url, url, SCREENSHOTS / slug(role) / f"{slug(name)}-{width}.png")

    assert problems == [], f"{role} at {url} ({width}):\n  " + "\n  ".join(problems)


# Fixed at their causes: the icon and breadcrumbs (templates/admin/base_site.html, static/css/admin.css),
# inline and list_editable inputs' labels (common/admin_inlines.py, common/admin_changelists.py), wide lists
# and inlines that scroll inside their own named region (templates/admin/change_list_results.html,
# common/templates/admin/edit_inline/labelled_tabular.html), the search box's name
# (templates/admin/search_form.html) and the script-drawn widgets' names (static/js/admin-aria.js).
@pytest.mark.parametrize("width", list(WIDTHS))
def test_admin_pages(contexts, desk, width):
    page = contexts(roles.ADMIN)
    page.set_viewport_size(WIDTHS[width])
    found = {}
    for url in admin_urls(desk.users[roles.ADMIN]):
        shot = SCREENSHOTS / slug(roles.ADMIN) / f"{slug(url) or 'admin'}-{width}.png"
        problems = check_page(page, desk.url, url, shot)
        if problems:
            found[url] = problems
    assert found == {}, json.dumps(found, indent=1)


def test_the_log_form_works_from_the_keyboard(contexts, desk):
    """Tab through the staff log form at phone width, answer each question with keys only, send with
    Enter: the ticket is logged."""
    from incidents.models import Ticket

    page = contexts(roles.STAFF)
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(desk.url + reverse("ticket_new"))
    before = Ticket.objects.count()
    form = page.locator("main form").first
    summary = "Printer on the 2nd floor is not printing"
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const el = document.activeElement;
              const form = el.closest('main form');
              if (!form) return {tag: el.tagName.toLowerCase(), outside: true};
              const group = [...form.querySelectorAll(`input[name="${el.name}"]`)].some((r) => r.checked);
              return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
                      value: el.value, required: el.required, group: el.type === 'radio' ? group : null};
            }"""
        )
        if focused.get("outside"):
            if seen:
                break
            continue
        key = (focused["name"], focused["type"])
        if key in seen:
            continue
        seen.add(key)
        if focused["type"] == "radio" and not focused["group"]:
            page.keyboard.press("Space")
        elif focused["tag"] == "select" and not focused["value"]:
            page.keyboard.press("ArrowDown")
        elif focused["type"] in ("text", "textarea") and focused["required"] and not focused["value"]:
            page.keyboard.type(summary if focused["name"] == "summary" else "Nothing comes out of the tray.")
    assert ("summary", "text") in seen, f"the summary was never reached by Tab: {sorted(seen)}"
    form.locator('[name="summary"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert Ticket.objects.count() == before + 1, page.locator("main").inner_text()
    assert Ticket.objects.order_by("-pk").first().summary == summary
