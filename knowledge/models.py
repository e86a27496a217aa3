"""Knowledge: articles staff read before they log a ticket, answers the desk reuses, and what they saved.

An article's body is Markdown; `body_html` is its safe rendering (knowledge/rendering.py), written by the
services on every change, never by hand. Every change writes an `ArticleVersion` (who, when, what).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class Audience(models.TextChoices):
    STAFF = "staff", "Everyone signed in"
    DESK = "desk", "ICT service desk only"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class Article(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField("body (Markdown)", max_length=50_000)
    body_html = models.TextField(editable=False, default="")
    services = models.ManyToManyField("catalogue.Service", blank=True, related_name="articles")
    categories = models.ManyToManyField("catalogue.ServiceCategory", blank=True, related_name="articles")
    audience = models.CharField(max_length=5, choices=Audience.choices, default=Audience.STAFF)
    status = models.CharField(max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles_written"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles_reviewed",
    )
    review_date = models.DateField(null=True, blank=True, help_text="The author is reminded when it passes.")
    review_reminded_for = models.DateField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    views = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    # The resolved ticket it was written from (knowledge.services.article_from_ticket).
    source_ticket = models.ForeignKey(
        "incidents.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Anything else it was published from, e.g. a problem's known error (article_publish_from_source).
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    # PostgreSQL only: title weighted A, body B, kept by the services (knowledge/search.py); GIN-indexed
    # by migration 0002 (on PostgreSQL only). Null on SQLite, where search falls back to plain matching.
    search_vector = SearchVectorField(null=True, editable=False)
    # The title alone (PostgreSQL only, GIN-indexed): "the title matches" is the first ranking key, read
    # without touching the body's larger vector (docs/knowledge.md, "Search").
    title_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "audience", "-updated_at"], name="article_visible_idx"),
            models.Index(fields=["status", "review_date"], name="article_review_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(source_type__isnull=False),
                name="article_one_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return reference_of(self.pk)

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


def reference_of(pk: int | None) -> str:
    return f"KB-{pk:04d}" if pk else "KB-new"


class ArticleVersion(models.Model):
    """One saved state of an article: kept for good, shown and restorable."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=50_000)
    audience = models.CharField(max_length=5, choices=Audience.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_version_once")]

    def __str__(self) -> str:
        return f"{self.article.reference} v{self.number}"


class ArticleFeedback(models.Model):
    """ "Did this help?": one answer per person per article (a second answer replaces the first)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="article_feedback_once")]

    def __str__(self) -> str:
        return f"{self.article_id} {'helped' if self.helpful else 'did not help'} {self.user_id}"


class ArticleUse(models.Model):
    """An article met a ticket: shown on the log form before it was logged, or sent in a public reply."""

    class Kind(models.TextChoices):
        SHOWN = "shown", "Shown while logging"
        REPLY = "reply", "Sent in a reply"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    ticket = models.ForeignKey("incidents.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "ticket", "kind"], name="article_use_once")]

    def __str__(self) -> str:
        return f"{reference_of(self.article_id)} {self.kind} on ticket {self.ticket_id}"


class Deflection(models.Model):
    """A ticket not logged: the person opened a suggested article and said it solved their problem."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="deflections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    typed = models.CharField("what they had typed", max_length=200, blank=True)
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{reference_of(self.article_id)} solved it for {self.user_id}"


class ArticleView(models.Model):
    """A person read a published article on a day (Africa/Johannesburg): `Article.views` counts these, one
    per person per article per day however often the page is opened or reloaded
    (knowledge.services.article_viewed)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user", "day"], name="article_view_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{reference_of(self.article_id)} read by {self.user_id} on {self.day}"


def article_image_path(instance: ArticleImage, filename: str) -> str:
    # Never the uploader's file name on disk: a random name under the month (as ticket attachments).
    return f"article-images/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class ArticleImage(models.Model):
    """A picture in an article's body, uploaded by the desk and checked as ticket attachments are
    (incidents/attachments.py; PNG, JPEG or GIF only). Served only by knowledge.views.article_image, through
    the article's scope: whoever may not read the article gets a 404 for its pictures too."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=article_image_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{reference_of(self.article_id)} {self.original_name}"


class SearchWord(models.Model):
    """A word of some article's title or body (lower case, letters only, 3-40 long): the vocabulary that the
    typo pass corrects what was typed to (knowledge/search.py; pg_trgm GiST index on PostgreSQL). Added to
    whenever an article's words are written, never removed: a word no article holds any more only makes
    the typo pass find nothing."""

    word = models.CharField(max_length=40, primary_key=True)

    def __str__(self) -> str:
        return self.word


class SearchRecord(models.Model):
    """A search someone made on the help page or the API: the ones with no result say what to write."""

    words = models.CharField(max_length=100, db_index=True)
    results = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.words} ({self.results})"
