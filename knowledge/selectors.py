"""Reads: which articles a person may see, the help page's parts, suggestions, and the figures counted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from catalogue.models import Service
from common import access
from common.pagination import CountedPagePaginator

from .models import (
    Article,
    ArticleImage,
    ArticleStatus,
    ArticleUse,
    ArticleVersion,
    Audience,
    Deflection,
    SearchRecord,
    reference_of,
)
from .search import article_search, article_search_best, search_passes

SUGGESTIONS = 3
# What a list of articles shows (knowledge/includes/article_list.html): not the bodies, nor the vectors.
LISTED_FIELDS = ("id", "title", "status", "audience", "updated_at")
_REFERENCE = re.compile(r"^KB-(\d{1,9})$", re.IGNORECASE)
REFERENCE_IN_TEXT = re.compile(r"\bKB-(\d{4,9})\b")


def is_desk(user) -> bool:
    """Writes, reviews and sees every article (drafts and desk-only ones included)."""
    return access.may(user, "article.write")


def published_for_staff() -> Q:
    return Q(status=ArticleStatus.PUBLISHED, audience=Audience.STAFF)


def visible_articles(user) -> QuerySet[Article]:
    """The one scope for pages, search, suggestions and the API: the desk sees every article, anyone else
    only published articles for staff (a draft, retired or desk-only article is a 404 to them)."""
    articles = Article.objects.all()
    if is_desk(user):
        return articles
    if not getattr(user, "is_authenticated", False):
        return articles.none()
    return articles.filter(published_for_staff())


def readable_articles(user) -> QuerySet[Article]:
    """What a reader looks for: published articles they may see (the desk's own search shows all)."""
    return visible_articles(user).filter(status=ArticleStatus.PUBLISHED)


def pk_of_reference(reference: str) -> int | None:
    match = _REFERENCE.match(reference.strip())
    return int(match.group(1)) if match else None


def article_for_reader(user, reference: str) -> Article:
    """The article page's article (Article.DoesNotExist when the person may not see it)."""
    pk = pk_of_reference(reference)
    if pk is None:
        raise Article.DoesNotExist
    return (
        visible_articles(user)
        .select_related("author", "reviewer", "source_ticket")
        .prefetch_related(Prefetch("services", queryset=Service.objects.select_related("category")))
        .get(pk=pk)
    )


def _scope(user, *, status: str = "", service_id: int | None = None) -> QuerySet[Article]:
    articles = visible_articles(user) if status or is_desk(user) else readable_articles(user)
    if status:
        articles = articles.filter(status=status)
    if service_id:
        articles = articles.filter(services=service_id)
    return articles


def article_list(user, *, q: str = "", status: str = "", service_id: int | None = None) -> QuerySet[Article]:
    """Search (ranked) or the newest first, within the person's scope."""
    articles = _scope(user, status=status, service_id=service_id)
    return article_search_best(articles, q) if q.strip() else articles


def search_page(user, q: str, *, number: Any = 1, per_page: int = 20, status: str = "") -> Page:
    """A page of a search's articles (the fields a list shows), each pass of search.search_passes read as
    a page with its count in one query until one finds something: one query when all words find
    something (no separate "does it find anything?" and no separate count)."""
    articles = _scope(user, status=status).only(*LISTED_FIELDS)
    passes = search_passes(q)
    for options in passes:
        page = CountedPagePaginator(article_search(articles, q, **options), per_page).get_page(number)
        if page.paginator.count:
            return page
    return page


def suggestions(
    user,
    q: str,
    *,
    service_id: int | None = None,
    limit: int = SUGGESTIONS,
    typos: bool = True,
    columns: tuple[str, ...] = (),
) -> list[Article]:
    """Up to `limit` published articles the person may read that match what they typed; an article about
    the chosen service first. One query when all words find something, one more for each pass tried
    after (search.search_passes; `typos=False` stops before the typo pass). `columns`: read only these
    (and the id), for a caller that shows no more than them."""
    if len(q.strip()) < 3:
        return []
    readable = readable_articles(user)
    passes = search_passes(q)
    for options in passes if typos else passes[:-1]:
        found = article_search(readable, q, **options)
        if service_id:
            found = found.annotate(for_service=Count("services", filter=Q(services=service_id))).order_by(
                "-for_service", "-rank", "-views", "-updated_at", "-pk"
            )
        # Not the rendered body nor the vectors: the fragment shows titles, the API a snippet of the body.
        found = found.only(*columns) if columns else found.defer("body_html", "search_vector", "title_vector")
        rows = list(found[:limit])
        if rows:
            return rows
    return []


def help_page_parts(user, *, per_category: int = 3, recent: int = 5) -> dict:
    """The help page without a search: the most read articles of each service category, and the newest."""
    readable = readable_articles(user)
    # Any: django-stubs cannot follow annotations on an auto-created through model.
    through: Any = Article.services.through
    ranked = (
        through.objects.filter(article__in=readable)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("service__category")],
                order_by=[F("article__views").desc(), F("article_id").desc()],
            ),
            category_name=F("service__category__name"),
            category_order=F("service__category__display_order"),
            title=F("article__title"),
        )
        .values("article_id", "title", "category_name", "category_order", "place")
    )
    # One article under two services of one category shows once: the window runs over pairs.
    by_category: dict[str, list[dict]] = {}
    seen: set[tuple[str, int]] = set()
    for row in sorted(
        ranked.filter(place__lte=per_category * 2),
        key=lambda r: (r["category_order"], r["category_name"], r["place"]),
    ):
        key = (row["category_name"], row["article_id"])
        if key in seen or len(by_category.get(row["category_name"], [])) >= per_category:
            continue
        seen.add(key)
        row["reference"] = reference_of(row["article_id"])
        by_category.setdefault(row["category_name"], []).append(row)
    return {
        "top_by_category": list(by_category.items()),
        "recent": list(readable.order_by("-updated_at", "-pk")[:recent]),
    }


def article_images(article: Article) -> QuerySet[ArticleImage]:
    return ArticleImage.objects.filter(article=article).order_by("created_at", "pk")


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("changed_by")


def tickets_used_on(article: Article, limit: int = 20) -> QuerySet[ArticleUse]:
    return article.uses.select_related("ticket").order_by("-at")[:limit]


def suggestions_for_ticket(ticket, user, limit: int = SUGGESTIONS) -> list[Article]:
    """Published articles matching a ticket's summary, its service's first (the ticket page's panel: its
    title and reference only, so not the bodies; issue 22)."""
    return suggestions(
        user, ticket.summary, service_id=ticket.service_id, limit=limit, typos=False, columns=("title",)
    )


def referenced_pks(text: str) -> list[int]:
    """The article ids named in a text as KB-0001 (a reply that sends one)."""
    return sorted({int(number) for number in REFERENCE_IN_TEXT.findall(text or "")})


def articles_due_for_review(*, today: date) -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, review_date__lte=today)


# --- counted (reports read these) -------------------------------------------------------------------------


@dataclass(frozen=True)
class KnowledgeFigures:
    deflections: int
    used_in_replies: int
    helpful_yes: int
    helpful_no: int
    due_for_review: int
    unanswered_searches: list[tuple[str, int]]

    @property
    def helpful_share(self) -> float | None:
        answers = self.helpful_yes + self.helpful_no
        return None if not answers else self.helpful_yes / answers


def knowledge_figures(*, start: datetime, end: datetime, today: date, top: int = 10) -> KnowledgeFigures:
    """What the knowledge base saved in [start, end): tickets not logged because an article answered,
    articles sent in replies, "did this help?" over all published articles, articles past their review
    date, and the most searched words that found nothing (what to write next)."""
    # Helpfulness and "due for review" in one pass over the published articles (issue 22: one aggregate
    # where there were two queries; the due ones are articles_due_for_review's rule).
    helpful = Article.objects.filter(status=ArticleStatus.PUBLISHED).aggregate(
        yes=Sum("helpful_yes", default=0),
        no=Sum("helpful_no", default=0),
        due=Count("pk", filter=Q(review_date__lte=today)),
    )
    unanswered = (
        SearchRecord.objects.filter(at__gte=start, at__lt=end, results=0)
        .values("words")
        .annotate(times=Count("pk"))
        .order_by("-times", "words")[:top]
    )
    return KnowledgeFigures(
        deflections=Deflection.objects.filter(at__gte=start, at__lt=end).count(),
        used_in_replies=ArticleUse.objects.filter(
            kind=ArticleUse.Kind.REPLY, at__gte=start, at__lt=end
        ).count(),
        helpful_yes=helpful["yes"],
        helpful_no=helpful["no"],
        due_for_review=helpful["due"],
        unanswered_searches=[(row["words"], row["times"]) for row in unanswered],
    )
