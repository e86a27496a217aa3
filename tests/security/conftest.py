"""The world the attacks run in: two requesters (an attacker and a victim), support staff, and the
victim's ticket with a public reply, an internal note, a file, an asset, a saved view and a report run.

Every text the victim owns carries VICTIM, so a test can assert that no answer to the attacker, on any
URL, ever contains it.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.models import Service, ServiceCategory, SupportGroup
from common import access as roles
from common.models import Notification
from incidents import services
from incidents.models import (
    Attachment,
    Comment,
    SatisfactionRating,
    SavedFilter,
    Ticket,
    TicketEvent,
)
from knowledge import services as knowledge_services
from knowledge.models import Article, ArticleFeedback, ArticleUse, ArticleVersion, Deflection
from problems.models import IncidentLink, Problem, ProblemEvent, RecurrenceProposal
from problems.services import problem_log
from reports.models import ReportRun
from sites.models import Asset, Site
from tests.factories import AssetFactory, ChangeFactory, ServiceFactory, TicketFactory, UserFactory

VICTIM = "VICTIM7f3a"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    attacker: object  # a requester (Staff role)
    victim: object  # another requester
    technician: object
    other_technician: object
    manager: object
    admin: object
    no_role: object
    advisor: object
    change: object  # a change at the victim's ticket's site (Staff may not open it)
    ticket: Ticket  # the victim's
    own_ticket: Ticket  # the attacker's
    comment: Comment
    note: Comment
    attachment: Attachment
    asset: Asset
    saved_filter: SavedFilter  # the other technician's
    report_run: ReportRun
    media_root: Path
    problem: Problem  # linked to the victim's ticket; staff never see problems
    proposal: RecurrenceProposal
    article: object = None  # a published article for staff (knowledge)
    hidden_article: object = None  # a desk-only draft (knowledge): a 404 to staff by every path
    hidden_image: object = None  # a picture of the desk-only draft: a 404 to staff too


@pytest.fixture
def world(users_by_role, settings, tmp_path) -> World:
    group = SupportGroup.objects.get(name="Desktop and Printing")
    technician = users_by_role[roles.TECHNICIAN]
    other_technician = UserFactory(username="bongani", role=roles.TECHNICIAN)
    group.members.add(technician, other_technician)
    service = ServiceFactory(support_group=group)
    victim = UserFactory(username="ayanda", role=roles.STAFF, first_name="Ayanda")
    attacker = users_by_role[roles.STAFF]
    asset = AssetFactory(asset_tag="TST-DSK-77001", site=Site.objects.get(name="Dutywa Main Building"))
    ticket = TicketFactory(
        requester=victim,
        service=service,
        asset=asset,
        summary=f"{VICTIM} summary: payroll PC password on a sticky note",
        description=f"{VICTIM} description: the CFO's laptop password is Winter2026",
    )
    comment = services.ticket_comment(ticket=ticket, by=victim, body=f"{VICTIM} public reply")
    note = services.ticket_comment(
        ticket=ticket, by=technician, body=f"{VICTIM} internal note", internal=True
    )
    [attachment] = services.ticket_attach(
        ticket=ticket, by=victim, files=[SimpleUploadedFile(f"{VICTIM}.png", PNG, content_type="image/png")]
    )
    own_ticket = TicketFactory(requester=attacker, service=service, summary="Attacker's own printer jam")
    saved_filter = SavedFilter.objects.create(
        user=other_technician, name=f"{VICTIM} view", query="status=new"
    )
    report_run = ReportRun.objects.create(month=datetime.date(2026, 10, 1), version=1)
    article = knowledge_services.article_create(
        by=other_technician, title="Reset your password", body="Steps"
    )
    knowledge_services.article_change_status(article=article, by=other_technician, to="in_review")
    article = knowledge_services.article_change_status(article=article, by=technician, to="published")
    hidden_article = knowledge_services.article_create(
        by=other_technician, title=f"{VICTIM} core switch notes", body=f"{VICTIM} desk only", audience="desk"
    )
    hidden_image = knowledge_services.article_image_add(
        article=hidden_article,
        by=other_technician,
        upload=SimpleUploadedFile(f"{VICTIM}-switch.png", PNG, content_type="image/png"),
    )
    problem = problem_log(
        by=technician, summary=f"{VICTIM} problem summary", service=service, tickets=[ticket]
    )
    proposal = RecurrenceProposal.objects.create(
        service=service, site=ticket.site, found_at=ticket.created_at
    )
    proposal.tickets.add(ticket)
    return World(
        attacker=attacker,
        victim=victim,
        technician=technician,
        other_technician=other_technician,
        manager=users_by_role[roles.MANAGER],
        admin=users_by_role[roles.ADMIN],
        no_role=UserFactory(username="newcomer"),
        advisor=UserFactory(username="director", role=roles.CHANGE_ADVISOR),
        change=ChangeFactory(summary=f"{VICTIM} change: new payroll server", sites=[ticket.site]),
        ticket=ticket,
        own_ticket=own_ticket,
        comment=comment,
        note=note,
        attachment=attachment,
        asset=asset,
        saved_filter=saved_filter,
        report_run=report_run,
        media_root=Path(settings.MEDIA_ROOT),
        article=article,
        hidden_article=hidden_article,
        hidden_image=hidden_image,
        problem=problem,
        proposal=proposal,
    )


WATCHED = (
    Problem,
    IncidentLink,
    ProblemEvent,
    RecurrenceProposal,
    Ticket,
    Comment,
    Attachment,
    TicketEvent,
    SatisfactionRating,
    SavedFilter,
    Notification,
    ReportRun,
    Asset,
    Site,
    Service,
    ServiceCategory,
    SupportGroup,
    Article,
    ArticleVersion,
    ArticleFeedback,
    ArticleUse,
    Deflection,
)


def database_fingerprint(media_root: Path | None = None) -> dict[str, str]:
    """A digest of every row of the tables an attack could change (users and their groups included), and
    of the files in attachment storage: equal fingerprints mean nothing was written."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    digests = {}
    for model in (*WATCHED, User, User.groups.through):
        # last_login moves with every sign-in the tests make, and an article's view count with every read
        # (knowledge counts reads on GET, as a help page's hit counter): neither is something an attack sets.
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name != "last_login" and not (model._meta.label == "knowledge.Article" and f.name == "views")
        ]
        rows = model.objects.order_by("pk").values_list(*columns)
        digests[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    if media_root is not None:
        files = (
            sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*"))
            if media_root.exists()
            else []
        )
        digests["files"] = hashlib.sha256(repr(files).encode()).hexdigest()
    return digests
