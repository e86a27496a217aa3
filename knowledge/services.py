"""The verbs that change knowledge: write, review, publish, retire, restore, answer, deflect, remind.

Every change of an article's words goes through `_write`, which renders the body safe
(knowledge/rendering.py), keeps a version and refreshes the search vector, so none of them can be
forgotten. The lifecycle is the table TRANSITIONS: draft -> in review -> published -> retired (and back
to draft to rework); publishing needs a reviewer other than the author.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Model, Q
from django.urls import reverse
from django.utils import timezone

from common.addresses import absolute_url
from common.conflicts import StaleCopy
from common.outbox import notification_send
from incidents.attachments import attachment_check

from .models import (
    Article,
    ArticleFeedback,
    ArticleImage,
    ArticleStatus,
    ArticleUse,
    ArticleVersion,
    Audience,
    Deflection,
    SearchRecord,
)
from .rendering import image_url, markdown_to_safe_html
from .search import search_vectors_refresh, search_vocabulary_add
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
    article.body_html = markdown_to_safe_html(article.body, article_id=article.pk)
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
    search_vocabulary_add(article.title, article.body)
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


# --- pictures in an article -------------------------------------------------------------------------------

# What an article shows inline: pictures a browser draws and never runs (no SVG, no PDF).
IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF"}
# Enough for a step-by-step guide with a picture a step; more is a sign of a manual, not an article.
MAX_IMAGES_PER_ARTICLE = 30


@transaction.atomic
def article_image_add(*, article: Article, by, upload) -> ArticleImage:
    """Keep a picture for an article's body. Checked as a ticket's file is (incidents/attachments.py: the
    size limit ATTACHMENT_MAX_MB, the name, the content read and matched to the name), and then it must be
    a PNG, JPEG or GIF. Stored under a random name; served only through the article's scope
    (knowledge.views.article_image). The body shows it with the Markdown `article_image_markdown` gives."""
    _require_desk(by)
    if upload is None:
        raise ValidationError({"file": "Choose a picture to upload."})
    try:
        checked = attachment_check(upload)
    except ValidationError as refused:
        raise ValidationError({"file": refused.messages}) from None
    if checked.content_type not in IMAGE_TYPES:
        raise ValidationError(
            {"file": f"{checked.name}: only pictures go into an article ({', '.join(IMAGE_TYPES.values())})."}
        )
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.images.count() >= MAX_IMAGES_PER_ARTICLE:
        raise ValidationError({"file": f"An article holds at most {MAX_IMAGES_PER_ARTICLE} pictures."})
    image = ArticleImage(
        article=locked,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
        created_at=timezone.now(),
    )
    image.file.save(checked.name, ContentFile(checked.data), save=False)
    image.save()
    return image


def article_image_markdown(image: ArticleImage) -> str:
    """What an author pastes into the body to show the picture (the only image address the body keeps:
    knowledge/rendering.py)."""
    alt = re.sub(r"[\[\]\\]", "", image.original_name.rsplit(".", 1)[0])[:80] or "picture"
    return f"![{alt}]({image_url(image.article_id, image.pk)})"


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


@contextmanager
def _commit_without_waiting() -> Iterator[None]:
    """A transaction of its own whose commit does not wait for the write-ahead log to reach the disk
    (PostgreSQL's `synchronous_commit` off, for this transaction only): for counts that may lose their
    last fraction of a second in a crash. Inside someone else's transaction it is just a savepoint (their
    commit keeps its guarantee)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


_NO_WAIT = "SET LOCAL synchronous_commit TO OFF; "
# The day's view, and one more on the article only when that row is new (PostgreSQL).
_COUNT_A_VIEW = (
    "WITH seen AS (INSERT INTO knowledge_articleview (article_id, user_id, day) VALUES (%s, %s, %s) "
    "ON CONFLICT DO NOTHING RETURNING article_id) "
    "UPDATE knowledge_article SET views = views + 1 WHERE id IN (SELECT article_id FROM seen)"
)


def article_viewed(*, article: Article, user, today: date | None = None) -> bool:
    """Count a reading of a published article: once per person per article per day (Africa/Johannesburg),
    however often the page is opened or reloaded. Returns whether this one counted. On PostgreSQL one
    statement (an insert-or-ignore of the day's `ArticleView` whose RETURNING row, only when new, adds one
    to `Article.views`), committed without waiting for the disk (a lost view in a crash is no loss); on
    SQLite the insert-or-ignore, then the addition only when a row went in."""
    if not article.is_published or not getattr(user, "is_authenticated", False):
        return False
    values = [article.pk, user.pk, today or timezone.localdate()]
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip: as _commit_without_waiting, then the view (psycopg2 sends both as one).
            cursor.execute(
                (_NO_WAIT if outermost else "") + _COUNT_A_VIEW,
                values,
            )
            return cursor.rowcount == 1
        cursor.execute(
            "INSERT OR IGNORE INTO knowledge_articleview (article_id, user_id, day) VALUES (%s, %s, %s)",
            values,
        )
        counted = cursor.rowcount == 1
        if counted:
            cursor.execute("UPDATE knowledge_article SET views = views + 1 WHERE id = %s", [article.pk])
        return counted


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
    """Keep a search (what to write next). On PostgreSQL its commit does not wait for the disk
    (`synchronous_commit` off for this one transaction): a search is read by a monthly count, and losing
    the last fraction of a second of them in a crash costs nothing, while waiting for the write-ahead
    log's flush cost the help page 6-99 ms on a busy disk (docs/performance.md, "Knowledge search")."""
    words = " ".join((words or "").lower().split())[:100]
    if not words:
        return
    with _commit_without_waiting():
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
