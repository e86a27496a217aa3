"""Item 3: script and markup in every text a person can enter is shown escaped everywhere it is shown.

The hostile rows (tests/security/hostile.py) put the three classic payloads into ticket summaries,
descriptions, replies, internal notes, resolution notes, rating comments, file names, asset fields, site
and building names, catalogue names, descriptions, keywords and questions, support group and person
names, saved views and report commentary. Then every URL of the URL conf is opened by every role (with
the payloads in the search box too), every Django admin list and change page by a superuser, the mail
bodies are rendered, and the PDF's HTML is rendered: no answer contains a payload's live markup, and the
ticket page shows the escaped text (so the payloads were there to be found).

The static half fails the build on |safe, safeseq, mark_safe, format_html misuse and {% autoescape off %}
outside an allow-list that says why each use is safe.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from common.models import Notification
from reports import documents, kpis
from reports.periods import month_period

from .endpoints import all_endpoints
from .hostile import RAW, XSS, hostile_world
from .test_role_matrix import own_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile(world):
    return hostile_world(group_member=world.technician)


def hostile_values(world, hostile, endpoint) -> dict:
    values = own_values(world, endpoint)
    values.update(
        site_id=hostile.site.pk,
        asset_tag=hostile.asset.asset_tag,
        service_id=hostile.service.pk,
    )
    if endpoint.name.startswith(("ticket", "attachment")):
        values["pk"] = hostile.ticket.pk
        first_file = hostile.ticket.attachments.order_by("pk").first()
        values["file_pk"] = values["attachment_id"] = first_file.pk
    if endpoint.name.startswith("reports:"):
        values["pk"] = hostile.report_run.pk
    if endpoint.name == "saved_filter_delete":
        values["pk"] = hostile.saved_filter.pk
    return values


def live_markup(body: bytes) -> list[bytes]:
    return [raw for raw in RAW if raw in body]


def test_every_page_shows_the_payloads_escaped(world, hostile):
    people = {
        "requester": hostile.requester,
        "technician": world.technician,
        "manager": world.manager,
        "admin": world.admin,
    }
    client = Client()
    found = []
    searched = "?q=" + quote(XSS[0] + XSS[1] + XSS[2])
    for endpoint in all_endpoints():
        if endpoint.is_admin or endpoint.is_api:
            continue  # the API answers JSON (not rendered by a browser); admin: next test
        base = endpoint.url(hostile_values(world, hostile, endpoint))
        for who, user in people.items():
            client.force_login(user)
            for url in (base, base + searched):
                response = client.get(url)
                if response.streaming or not response["Content-Type"].startswith("text/html"):
                    continue
                if live_markup(response.content):
                    found.append(f"{who}: {url}: {live_markup(response.content)}")
    assert found == [], "\n".join(found)
    # The control: the payloads were rendered, escaped, on the ticket page.
    client.force_login(world.technician)
    page = client.get(f"/tickets/{hostile.ticket.pk}/").content
    assert b"&lt;script&gt;alert(&quot;xss1&quot;)&lt;/script&gt;" in page
    assert b"&lt;details open ontoggle=alert(&quot;xss3&quot;)&gt;" in page


def admin_values(endpoint, model) -> dict:
    latest = model._default_manager.order_by("-pk").first() if model is not None else None
    return {
        "object_id": latest.pk if latest else 1,
        "id": latest.pk if latest else 1,
        "app_label": endpoint.name.split(":")[1].split("_")[0] if ":" in endpoint.name else "accounts",
        "content_type_id": 1,
        "url": "nothing/",
        "positional": latest.pk if latest else 1,
        "format": "json",
    }


def admin_model(endpoint):
    """The model an admin URL is about (admin:<app>_<model>_<view>), or None for the admin's own pages."""
    from django.contrib import admin

    for model in admin.site._registry:
        if endpoint.name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def test_the_admin_shows_the_payloads_escaped(world, hostile):
    client = Client()
    client.force_login(hostile.superuser)
    found = []
    opened = 0
    for endpoint in all_endpoints():
        if not endpoint.is_admin or endpoint.name.endswith(("_delete", ":logout")):
            continue
        model = admin_model(endpoint)
        url = endpoint.url(admin_values(endpoint, model))
        for query in ("", "?q=" + quote(XSS[0])):
            response = client.get(url + query)
            if response.status_code != 200 or response.streaming:
                continue
            opened += 1
            if live_markup(response.content):
                found.append(f"{url}{query}: {live_markup(response.content)}")
    assert found == [], "\n".join(found)
    assert opened > 40


def test_mail_bodies_escape_the_payloads(world, hostile):
    mails = Notification.objects.filter(ticket=hostile.ticket)
    assert mails.count() >= 3
    for mail in mails:
        assert live_markup(mail.body_html.encode()) == [], mail.key
        assert "\n" not in mail.subject and "\r" not in mail.subject


def test_the_report_pdf_html_escapes_the_payloads(world, hostile):
    period = month_period(timezone.localdate().replace(day=1))
    report = kpis.month_report(period, include_annex=True)
    assert any(XSS[0] in row["summary"] for row in report["major_incidents"])
    html = render_to_string(
        "reports/report_pdf.html",
        documents.pdf_context(report, commentary=hostile.report_run.commentary, run=hostile.report_run),
    ).encode()
    assert live_markup(html) == []
    assert b"&lt;script&gt;alert(&quot;xss1&quot;)" in html


# --- the static half ---------------------------------------------------------------------------------

ROOT = Path(settings.BASE_DIR)
SOURCES = (
    "common",
    "servicedesk",
    "accounts",
    "sites",
    "catalogue",
    "slas",
    "incidents",
    "reports",
    "templates",
)
TEMPLATE_RISKS = re.compile(r"\|\s*safe\b|\|\s*safeseq\b|\{%\s*autoescape\s+off\s*%\}")
PYTHON_RISKS = re.compile(
    r"\bmark_safe\s*\(|\bSafeString\s*\(|\bformat_html\s*\(|\.__html__\b|\bmark_for_escaping\b"
)
FORMAT_HTML_MISUSE = re.compile(r"format_html\(\s*(f[\"']|[\"'][^\"']*[\"']\s*(%|\.format\())")

# Each allowed use, by file, with the reason it cannot carry user data into HTML unescaped.
ALLOWED = {
    # Plain-text mail bodies and subjects (sent as text/plain; the HTML part is a separate, escaped
    # template). Escaping there would show &amp; to the reader; CR/LF in subjects is cleaned in code.
    **{
        str(path.relative_to(ROOT)): "text/plain mail template"
        for path in ROOT.glob("*/templates/*/mail/*.txt")
    },
    "sites/labels.py": "mark_safe on segno's QR code SVG: path data only, the encoded text never appears",
    "sites/admin.py": "format_html with {} placeholders only (escaped arguments)",
    "reports/admin.py": "format_html with {} placeholders only (escaped arguments)",
    "reports/charts.py": "format_html with {} placeholders; mark_safe joins pieces each built by format_html",
    # Reviewed for issue 7: every value, label, name and attribute value goes through conditional_escape
    # before the mark_safe; test_every_page_shows_the_payloads_escaped puts payloads in its search boxes.
    "common/templatetags/form_rendering.py": "widgets rendered in Python; each value conditional_escape'd",
}


def scanned_files():
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.suffix in (".py", ".html", ".txt", ".xml", ".svg") and "migrations" not in path.parts:
                yield path


def test_no_template_or_code_turns_off_escaping_outside_the_allow_list():
    offending = []
    for path in scanned_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        relative = str(path.relative_to(ROOT))
        risky = TEMPLATE_RISKS.search(text) if path.suffix != ".py" else PYTHON_RISKS.search(text)
        if risky and relative not in ALLOWED:
            line = text[: risky.start()].count("\n") + 1
            offending.append(f"{relative}:{line}: {risky.group(0)}")
        if path.suffix == ".py" and FORMAT_HTML_MISUSE.search(text):
            offending.append(f"{relative}: format_html given an already-formatted string")
    assert offending == [], "Escaping turned off outside the allow-list:\n" + "\n".join(offending)


def test_html_mail_templates_never_turn_off_escaping():
    for path in ROOT.glob("*/templates/*/mail/*.html"):
        assert not TEMPLATE_RISKS.search(path.read_text()), path


def test_the_allow_list_names_only_files_that_exist():
    assert [name for name in ALLOWED if not (ROOT / name).exists()] == []
