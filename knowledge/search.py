"""Finding articles: the one search, used by the help page, the log form's suggestions and the API.

Passes, tried in turn until one finds something (`search_passes`): all words, then any word, then typos.
On PostgreSQL the words are full text over a stored vector (title and body, English stemming; GIN index),
every word a prefix (the word being typed matches: "print" finds "printer"), ranked by ts_rank over a
small title-only vector (a title match comes first), then the most read. The typo pass finds titles
whose words are like the query's with pg_trgm
(`%>`, trigram GIN index on the title): "pasword", "printr". On SQLite (the embedded default) the plain
fallback: every word (then any word) somewhere in the title or the body, title matches first; the typo
pass replaces each word by the closest word of the titles (difflib).
"""

from __future__ import annotations

import difflib
import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast

MAX_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(q: str) -> list[str]:
    """The words of a query, lower case, without punctuation (which to_tsquery would choke on)."""
    return [word.lower() for word in _WORD.findall(q or "")][:MAX_WORDS]


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def search_vector_expression() -> CombinedExpression:
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


def article_search(queryset: QuerySet, q: str, *, loose: bool = False, typos: bool = False) -> QuerySet:
    """The articles of `queryset` matching `q`, best first (annotated `rank`). `loose`: any word will do;
    `typos` (PostgreSQL): titles like the words, by trigram word similarity, instead of the words."""
    words = search_words(q)
    if not words:
        return queryset.none()
    if full_text_available():
        return _postgres_search(queryset, words, loose=loose, typos=typos)
    if typos:
        corrected = corrected_query(queryset, q)
        return _plain_search(queryset, search_words(corrected), loose=True) if corrected else queryset.none()
    return _plain_search(queryset, words, loose=loose)


def search_passes(q: str) -> list[dict]:
    """The passes tried in turn until one finds something: all words, any word, then typos."""
    passes = [{"loose": False}]
    if len(search_words(q)) > 1:
        passes.append({"loose": True})
    passes.append({"typos": True})
    return passes


def article_search_best(queryset: QuerySet, q: str) -> QuerySet:
    """The first pass of `search_passes` that finds something (one more query for each pass that does
    not): all words; when none matches them all, any word; when still nothing, typos forgiven."""
    passes = search_passes(q)
    for options in passes[:-1]:
        found = article_search(queryset, q, **options)
        if found.exists():
            return found
    return article_search(queryset, q, **passes[-1])


# The embedded default holds a few hundred articles at most: their titles' words fit in memory.
TITLES_READ_FOR_TYPOS = 5000


def corrected_query(queryset: QuerySet, q: str) -> str:
    """SQLite's typo tolerance: each word replaced by the most similar word of the titles (difflib); ""
    when no word has a close match."""
    return " ".join(_closest_title_words(queryset, search_words(q)))


def _closest_title_words(queryset: QuerySet, words: list[str]) -> list[str]:
    vocabulary: set[str] = set()
    for title in queryset.order_by().values_list("title", flat=True)[:TITLES_READ_FOR_TYPOS]:
        vocabulary.update(search_words(title))
    corrected = []
    for word in words:
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        if close and close[0] != word:
            corrected.append(close[0])
    return corrected


def _postgres_search(queryset: QuerySet, words: list[str], *, loose: bool, typos: bool) -> QuerySet:
    phrase = " ".join(words)
    if typos:
        # Only when the words found nothing: the trigram index finds titles with words like them.
        return (
            queryset.annotate(rank=TrigramWordSimilarity(phrase, "title"))
            .filter(title__trigram_word_similar=phrase)
            .order_by("-rank", "-updated_at", "-pk")
        )
    joined = (" | " if loose else " & ").join(f"{word}:*" for word in words)
    query = SearchQuery(joined, search_type="raw", config="english")
    # Ranked with any word: ts_rank of an AND of prefixes is 1e-20 whatever the title holds.
    any_word = SearchQuery(" | ".join(f"{word}:*" for word in words), search_type="raw", config="english")
    # Found through the GIN index alone (no recheck of the body's vector) and ranked by what is cheap for
    # every match: ts_rank over the small title-only vector (0 when the title does not match, so a title
    # match comes first), then the most read. Measured at 10,000 articles ("password": 1,011 matches):
    # ts_rank over the body's vector read every matching body, word similarity for every title cost
    # 50 ms, an OR with the trigram condition made PostgreSQL recheck both for each row.
    return (
        queryset.annotate(rank=SearchRank(F("title_vector"), any_word))
        .filter(search_vector=query)
        .order_by("-rank", "-views", "-updated_at", "-pk")
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
