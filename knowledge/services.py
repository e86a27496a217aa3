"""The verbs that change knowledge: write, review, publish, retire, restore, answer, deflect, remind.

Every change of an article's words goes through `_write`, which renders the body safe
(knowledge/rendering.py), keeps a version and refreshes the search vector, so none of them can be
forgotten. The lifecycle is the table TRANSITIONS: draft -> in review -> published -> retired (and back
to draft to rework); publishing needs a reviewer other than the author.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Model, Q
from django.urls import reverse
from django.utils import timezone

from common.addresses import absolute_url
from common.conflicts import StaleCopy
from common.outbox import notification_send

from .models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    ArticleUse,
    ArticleVersion,
    Audience,
    Deflection,
    SearchRecord,
)
from .rendering import markdown_to_safe_html
from .search import search_vectors_refresh
from .selectors import articles_due_for_review, is_desk, referenced_pks

logger = logging.getLogger(__name__)

S = ArticleStatus
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.IN_REVIEW},
    S.IN_REVIEW: {S.PUBLISHED, S.DRAFT},
    S.PUBLISHED: {S.RETIRED, S.DRAFT},
    S.RETIRED: {S.DRAFT},
}
# A published article is looked at again a year on unless its author says otherwise.
DEFAULT_REVIEW_AFTER = timedelta(days=365)


class ArticleConflict(StaleCopy):
    """The article changed since the person's copy was read."""


def _require_desk(user) -> None:
    if not is_desk(user):
        raise PermissionDenied("Only the ICT service desk writes and reviews articles.")


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give the article a title."
    if not body:
        errors["body"] = "Write what to do."
    if errors:
        raise ValidationError(errors)
    return title, body


def _write(article: Article, *, by, note: str, fields: list[str]) -> Article:
    """Save the article's words, rendered and searchable, and keep the version."""
    article.body_html = markdown_to_safe_html(article.body)
    article.save(update_fields=[*fields, "body_html", "version", "updated_at"] if article.pk else None)
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        audience=article.audience,
        changed_by=by,
        note=note[:200],
    )
    search_vectors_refresh(Article.objects.filter(pk=article.pk))
    return article


@transaction.atomic
def article_create(
    *,
    by,
    title: str,
    body: str,
    audience: str = Audience.STAFF,
    services: Iterable = (),
    categories: Iterable = (),
    review_date: date | None = None,
    source_ticket=None,
    note: str = "written",
) -> Article:
    """A new draft by a member of the desk."""
    _require_desk(by)
    title, body = _clean(title, body)
    if audience not in Audience.values:
        raise ValidationError({"audience": "Choose who may read it."})
    article = Article(
        title=title,
        body=body,
        audience=audience,
        author=by,
        review_date=review_date,
        source_ticket=source_ticket,
    )
    _write(article, by=by, note=note, fields=[])
    article.services.set(services)
    article.categories.set(categories)
    return article


def _lock(article: Article, expected_version: int | None) -> Article:
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ArticleConflict(
            "This article changed since you opened it; reload it and make your change again.",
            version=locked.version,
        )
    return locked


@transaction.atomic
def article_update(
    *,
    article: Article,
    by,
    title: str,
    body: str,
    audience: str | None = None,
    services: Iterable | None = None,
    categories: Iterable | None = None,
    review_date: date | bool | None = False,
    expected_version: int | None = None,
    note: str = "edited",
) -> Article:
    """New words for an article (a new version); a published article stays published."""
    _require_desk(by)
    title, body = _clean(title, body)
    article = _lock(article, expected_version)
    fields = ["title", "body"]
    article.title, article.body = title, body
    if audience is not None:
        if audience not in Audience.values:
            raise ValidationError({"audience": "Choose who may read it."})
        article.audience = audience
        fields.append("audience")
    if review_date is not False:
        article.review_date = review_date  # type: ignore[assignment]
        fields.append("review_date")
    article.version += 1
    _write(article, by=by, note=note, fields=fields)
    if services is not None:
        article.services.set(services)
    if categories is not None:
        article.categories.set(categories)
    return article


@transaction.atomic
def article_change_status(*, article: Article, by, to: str, expected_version: int | None = None) -> Article:
    """Move an article along its lifecycle (TRANSITIONS). Publishing is a review: the reviewer is someone
    other than the author, and a review date a year on is set when none is."""
    _require_desk(by)
    article = _lock(article, expected_version)
    if to not in TRANSITIONS.get(article.status, set()):
        raise ValidationError(
            {
                "status": f"A {article.get_status_display().lower()} article cannot become "
                f"{S(to).label.lower() if to in S.values else to}."
            }
        )
    fields = ["status"]
    if to == S.PUBLISHED:
        if article.author_id == by.pk:
            raise ValidationError(
                {"status": "Someone other than the author reviews and publishes an article."}
            )
        article.reviewer, article.published_at = by, timezone.now()
        fields += ["reviewer", "published_at"]
        if article.review_date is None or article.review_date <= timezone.localdate():
            article.review_date = timezone.localdate() + DEFAULT_REVIEW_AFTER
            fields.append("review_date")
    article.status = to
    article.save(update_fields=[*fields, "updated_at"])
    return article


@transaction.atomic
def article_restore(*, article: Article, by, number: int, expected_version: int | None = None) -> Article:
    """Bring back the words of an old version, as a new version (nothing is lost)."""
    try:
        old = article.versions.get(number=number)
    except ArticleVersion.DoesNotExist:
        raise ValidationError({"version": "No such version."}) from None
    return article_update(
        article=article,
        by=by,
        title=old.title,
        body=old.body,
        audience=old.audience,
        expected_version=expected_version,
        note=f"restored version {number}",
    )


@transaction.atomic
def article_publish_from_source(
    *, source: Model, by, title: str, body: str, services: Iterable = (), audience: str = Audience.STAFF
) -> Article:
    """Publish words that another part of the desk owns and reviews (a problem's known error and its
    workaround): one article per source, kept linked to it; called again it updates the same article
    (a new version). The source's own review stands for the article's: it is published at once, with
    `by` as its reviewer. Knowledge never imports the source's app (the caller hands the row in)."""
    _require_desk(by)
    source_type = ContentType.objects.get_for_model(source)
    existing = Article.objects.filter(source_type=source_type, source_id=source.pk).first()
    if existing is None:
        article = article_create(
            by=by,
            title=title,
            body=body,
            audience=audience,
            services=services,
            note="published from its source",
        )
        article.source_type, article.source_id = source_type, source.pk
        article.save(update_fields=["source_type", "source_id"])
    else:
        article = article_update(
            article=existing,
            by=by,
            title=title,
            body=body,
            audience=audience,
            services=services,
            note="updated from its source",
        )
    if article.status != S.PUBLISHED:
        article.status, article.reviewer, article.published_at = S.PUBLISHED, by, timezone.now()
        article.review_date = article.review_date or timezone.localdate() + DEFAULT_REVIEW_AFTER
        article.save(update_fields=["status", "reviewer", "published_at", "review_date", "updated_at"])
    return article


# --- from a resolved ticket -------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(\+?\d[\d ()-]{7,}\d)(?!\w)")
CHECK_NOTE = "> Check before you send it for review: no names, phone numbers, e-mail addresses or passwords."


def _without_personal_details(text: str, names: Iterable[str]) -> str:
    text = _EMAIL.sub("[e-mail address]", text or "")
    text = _PHONE.sub("[phone number]", text)
    for name in sorted({n for n in names if n and len(n) > 2}, key=len, reverse=True):
        text = re.sub(re.escape(name), "[name]", text, flags=re.IGNORECASE)
    return text.strip()


@transaction.atomic
def article_from_ticket(*, ticket, by) -> Article:
    """A draft from a resolved ticket in one step: its summary as the title, what happened and what fixed
    it as the body, the requester's and technicians' names, e-mail addresses and phone numbers taken out
    (the author checks the rest), its service attached, and the ticket kept as its source."""
    _require_desk(by)
    if ticket.resolved_at is None or not ticket.resolution_note:
        raise ValidationError({"ticket": "Only a resolved ticket with a resolution note becomes an article."})
    people = [ticket.requester, ticket.assignee, ticket.logged_by]
    names: list[str] = []
    for person in filter(None, people):
        names += [person.get_full_name(), person.first_name, person.last_name, person.username, person.email]
    clean = lambda text: _without_personal_details(text, names)  # noqa: E731
    body = "\n\n".join(
        [
            CHECK_NOTE,
            "## What you may see",
            clean(ticket.description) or clean(ticket.summary),
            "## What to do",
            clean(ticket.resolution_note),
        ]
    )
    return article_create(
        by=by,
        title=clean(ticket.summary)[:200],
        body=body,
        audience=Audience.STAFF,
        services=[ticket.service_id],
        source_ticket=ticket,
        note=f"written from {ticket.reference}",
    )


# --- readers ----------------------------------------------------------------------------------------------


def article_viewed(*, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


@transaction.atomic
def article_feedback(*, article: Article, user, helpful: bool) -> Article:
    """ "Did this help?": one answer per person per article; a second answer replaces the first. The counts
    on the article are recounted from the answers (never drift)."""
    if not article.is_published:
        raise ValidationError({"helpful": "Only a published article takes answers."})
    ArticleFeedback.objects.update_or_create(article=article, user=user, defaults={"helpful": bool(helpful)})
    counts = ArticleFeedback.objects.filter(article=article).aggregate(
        yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))
    )
    Article.objects.filter(pk=article.pk).update(helpful_yes=counts["yes"], helpful_no=counts["no"])
    article.helpful_yes, article.helpful_no = counts["yes"], counts["no"]
    return article


@transaction.atomic
def deflection_record(*, article: Article, user, typed: str = "", service=None) -> Deflection:
    """The person read a suggested article and said it solved their problem: no ticket, one deflection."""
    if not article.is_published:
        raise ValidationError({"article": "Only a published article answers a question."})
    article_feedback(article=article, user=user, helpful=True)
    return Deflection.objects.create(
        article=article, user=user, typed=(typed or "").strip()[:200], service=service
    )


def article_uses_record(*, ticket, article_ids: Iterable[int], kind: str, by=None) -> int:
    """Articles that met a ticket (shown while it was logged, or sent in a reply); once per kind."""
    ids = set(
        Article.objects.filter(pk__in=set(article_ids), status=S.PUBLISHED).values_list("pk", flat=True)
    )
    rows = [ArticleUse(article_id=pk, ticket=ticket, kind=kind, by=by) for pk in sorted(ids)]
    ArticleUse.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def reply_articles_record(*, ticket, body: str, by) -> int:
    """A public reply that names articles (KB-0001) used them."""
    pks = referenced_pks(body)
    return (
        article_uses_record(ticket=ticket, article_ids=pks, kind=ArticleUse.Kind.REPLY, by=by) if pks else 0
    )


def search_record(*, words: str, results: int, user) -> None:
    words = " ".join((words or "").lower().split())[:100]
    if words:
        SearchRecord.objects.create(
            words=words, results=results, user=user if getattr(user, "is_authenticated", False) else None
        )


# --- review reminders -------------------------------------------------------------------------------------


def article_reviews_remind(*, today: date | None = None) -> int:
    """Mail each published article's author once when its review date passes (outbox: once per article and
    review date, whatever runs twice); returns how many were reminded."""
    today = today or timezone.localdate()
    due = articles_due_for_review(today=today).filter(
        Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_date"))
    )
    reminded = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        reminded += _remind(pk, today)
    return reminded


@transaction.atomic
def _remind(pk: int, today: date) -> int:
    article = (
        articles_due_for_review(today=today)
        .filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_date")))
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("author")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        return 0
    review_date = article.review_date
    assert review_date is not None  # articles_due_for_review: review_date <= today  # noqa: S101
    article.review_reminded_for = review_date
    article.save(update_fields=["review_reminded_for"])
    link = absolute_url(reverse("knowledge:article", args=[article.reference]))
    try:
        notification_send(
            key=f"article-review:{article.pk}:{review_date.isoformat()}",
            to_address=article.author.email,
            subject=f"{article.reference} is due for review: {article.title}",
            body_text=(
                f'Your article {article.reference} "{article.title}" was due for review on '
                f"{review_date:%d %B %Y}.\n\nRead it again, correct what has changed, and set a new "
                f"review date, or retire it:\n{link}\n"
            ),
            recipient=article.author,
            about=article,
        )
    except IntegrityError:  # pragma: no cover - the outbox's key already holds this mail
        logger.info("review reminder for %s already queued", article.reference)
    return 1
