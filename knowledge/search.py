"""Finding articles: the one search, used by the help page, the log form's suggestions and the API.

On PostgreSQL: full text over a stored vector (title weighted A, body B, English stemming; GIN-indexed),
every word a prefix (the word being typed matches: "print" finds "printer"), ranked by ts_rank so a title
match comes first; plus pg_trgm word similarity against the title (trigram GIN index), so the words staff
really type ("pasword", "printr") still find the article. All words must match; when none does, any word
may (the loose pass). On SQLite (the embedded default) a plain fallback: every word somewhere in the title
or the body, title matches first; when nothing matches, each word is replaced by the closest word of the
titles (difflib), so typos are forgiven there too.
"""

from __future__ import annotations

import difflib
import re

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, FloatField, IntegerField, Q, QuerySet, Value, When
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
    """Recompute the stored vectors of these articles (PostgreSQL; nothing to do elsewhere)."""
    if not full_text_available():
        return 0
    return queryset.update(
        search_vector=search_vector_expression(), title_vector=SearchVector("title", config="english")
    )


def article_search(queryset: QuerySet, q: str, *, loose: bool = False) -> QuerySet:
    """The articles of `queryset` matching `q`, best first (annotated `rank`). `loose`: any word will do."""
    words = search_words(q)
    if not words:
        return queryset.none()
    if full_text_available():
        return _postgres_search(queryset, words, loose=loose)
    return _plain_search(queryset, words, loose=loose)


def article_search_best(queryset: QuerySet, q: str) -> QuerySet:
    """All words first; when nothing matches them all, any word (one more query only then). On SQLite,
    when still nothing matches, each word is replaced by the closest word of the titles (typos)."""
    strict = article_search(queryset, q)
    if strict.exists():
        return strict
    loose = article_search(queryset, q, loose=True) if len(search_words(q)) > 1 else strict
    if full_text_available() or loose.exists():
        return loose
    corrected = _closest_title_words(queryset, search_words(q))
    return article_search(queryset, " ".join(corrected), loose=True) if corrected else loose


# The embedded default holds a few hundred articles at most: their titles' words fit in memory.
TITLES_READ_FOR_TYPOS = 5000


def _closest_title_words(queryset: QuerySet, words: list[str]) -> list[str]:
    """SQLite's typo tolerance: for each word, the most similar word of the titles (difflib), if any."""
    vocabulary: set[str] = set()
    for title in queryset.order_by().values_list("title", flat=True)[:TITLES_READ_FOR_TYPOS]:
        vocabulary.update(search_words(title))
    corrected = []
    for word in words:
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        if close and close[0] != word:
            corrected.append(close[0])
    return corrected


def _postgres_search(queryset: QuerySet, words: list[str], *, loose: bool) -> QuerySet:
    joined = (" | " if loose else " & ").join(f"{word}:*" for word in words)
    query = SearchQuery(joined, search_type="raw", config="english")
    phrase = " ".join(words)
    # Ranked by what is cheap to read for every match: whether the title matches (its own small vector),
    # then how like the query the title is (trigrams); the body's vector serves only to find the rows
    # (ts_rank over it read every matching body: 400-700 ms at 10,000 articles, docs/knowledge.md).
    title_hit = Case(
        When(Q(title_vector=query), then=Value(1.0)), default=Value(0.0), output_field=FloatField()
    )
    return (
        queryset.annotate(rank=title_hit + TrigramWordSimilarity(Value(phrase), "title"))
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
