"""Finding articles: the one search, used by the help page, the log form's suggestions and the API.

On PostgreSQL: full text over a stored vector (title weighted A, body B, English stemming; GIN-indexed),
every word a prefix (the word being typed matches: "print" finds "printer"), ranked by ts_rank so a title
match comes first; plus pg_trgm word similarity against the title (trigram GIN index), so the words staff
really type ("pasword", "printr") still find the article. All words must match; when none does, any word
may (the loose pass). On SQLite (the embedded default) a plain fallback: every word somewhere in the title
or the body, title matches first; no typo tolerance there.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast

MAX_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(q: str) -> list[str]:
    """The words of a query, lower case, without punctuation (which to_tsquery would choke on)."""
    return [word.lower() for word in _WORD.findall(q or "")][:MAX_WORDS]


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def search_vector_expression() -> SearchVector:
    return SearchVector("title", weight="A", config="english") + SearchVector(
        "body", weight="B", config="english"
    )


def search_vectors_refresh(queryset: QuerySet) -> int:
    """Recompute the stored vector of these articles (PostgreSQL; nothing to do elsewhere)."""
    if not full_text_available():
        return 0
    return queryset.update(search_vector=search_vector_expression())


def article_search(queryset: QuerySet, q: str, *, loose: bool = False) -> QuerySet:
    """The articles of `queryset` matching `q`, best first (annotated `rank`). `loose`: any word will do."""
    words = search_words(q)
    if not words:
        return queryset.none()
    if full_text_available():
        return _postgres_search(queryset, words, loose=loose)
    return _plain_search(queryset, words, loose=loose)


def article_search_best(queryset: QuerySet, q: str) -> QuerySet:
    """All words first; when nothing matches them all, any word (one more query only then)."""
    strict = article_search(queryset, q)
    if len(search_words(q)) > 1 and not strict.exists():
        return article_search(queryset, q, loose=True)
    return strict


def _postgres_search(queryset: QuerySet, words: list[str], *, loose: bool) -> QuerySet:
    joined = (" | " if loose else " & ").join(f"{word}:*" for word in words)
    query = SearchQuery(joined, search_type="raw", config="english")
    phrase = " ".join(words)
    return (
        queryset.annotate(
            rank=SearchRank(F("search_vector"), query) + TrigramWordSimilarity(Value(phrase), "title")
        )
        .filter(Q(search_vector=query) | Q(title__trigram_word_similar=phrase))
        .order_by("-rank", "-updated_at", "-pk")
    )


def _plain_search(queryset: QuerySet, words: list[str], *, loose: bool) -> QuerySet:
    each = [Q(title__icontains=word) | Q(body__icontains=word) for word in words]
    condition = each[0]
    for more in each[1:]:
        condition = (condition | more) if loose else (condition & more)
    in_title = Q()
    for word in words:
        in_title &= Q(title__icontains=word)
    return (
        queryset.filter(condition)
        .annotate(
            rank=Cast(
                Case(
                    When(in_title, then=Value(2)),
                    When(title__icontains=words[0], then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
                FloatField(),
            )
        )
        .order_by("-rank", "-updated_at", "-pk")
    )
