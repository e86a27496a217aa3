"""Finding articles: the one search, used by the help page, the log form's suggestions and the API.

Passes, tried in turn until one finds something (`search_passes`): all words, then any word, then typos.
On PostgreSQL the words are full text over a stored vector (title and body, English stemming; GIN index),
every word a prefix (the word being typed matches: "print" finds "printer"), ranked by ts_rank over a
small title-only vector (a title match comes first), then the most read. The typo pass replaces each word
by the nearest word of the articles' vocabulary (`SearchWord`, every word of every title and body) and
searches again with any word: on PostgreSQL with pg_trgm (`%` and `<->` over a GiST index on a few
thousand words, not on every title), on SQLite with difflib. "pasword" -> "password", "printr" ->
"print". On SQLite (the embedded default) the words are the plain fallback: every word (then any word)
somewhere in the title or the body, title matches first.
"""

from __future__ import annotations

import difflib
import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast

MAX_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)
# A word of the typo pass's vocabulary: letters only, 3 to 40 of them (no numbers, asset tags or KB-0001).
VOCABULARY_WORD = re.compile(r"\b[^\W\d_]{3,40}\b")


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


def vocabulary_of(*texts: str) -> set[str]:
    return {word.lower() for text in texts for word in VOCABULARY_WORD.findall(text or "")}


def search_vocabulary_add(*texts: str) -> None:
    """Add the words of these texts to the typo pass's vocabulary (those it has are left alone)."""
    from .models import SearchWord

    words = vocabulary_of(*texts)
    if words:
        SearchWord.objects.bulk_create(
            [SearchWord(word=word) for word in sorted(words)], batch_size=1000, ignore_conflicts=True
        )


def article_search(queryset: QuerySet, q: str, *, loose: bool = False, typos: bool = False) -> QuerySet:
    """The articles of `queryset` matching `q`, best first (annotated `rank`). `loose`: any word will do;
    `typos`: each word replaced by the nearest word of the vocabulary first (`corrected_words`), then any
    word will do; nothing when no word has a near one."""
    words = search_words(q)
    # Nothing found still carries `rank`, so a caller may order by it (suggestions for a service).
    nothing = queryset.annotate(rank=Value(0.0, output_field=FloatField())).none()
    if not words:
        return nothing
    if typos:
        corrected = corrected_words(words)
        if not corrected or corrected == words:
            return nothing
        words, loose = corrected, True
    if full_text_available():
        return _postgres_search(queryset, words, loose=loose)
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


# SQLite's vocabulary is read whole for difflib: the embedded default holds a few hundred articles.
VOCABULARY_READ_ON_SQLITE = 20_000


def corrected_words(words: list[str]) -> list[str]:
    """Each word replaced by the nearest word of the vocabulary (a word too unlike any is left out): one
    query on PostgreSQL (pg_trgm similarity over the GiST index, nearest first), difflib elsewhere."""
    from .models import SearchWord

    if full_text_available():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT known.word FROM knowledge_searchword known WHERE known.word %% typed.word "
                "ORDER BY known.word <-> typed.word LIMIT 1) FROM unnest(%s::text[]) WITH ORDINALITY "
                "AS typed(word, place) ORDER BY typed.place",
                [words],
            )
            return [row[0] for row in cursor.fetchall() if row[0]]
    vocabulary = list(SearchWord.objects.values_list("word", flat=True)[:VOCABULARY_READ_ON_SQLITE])
    corrected = []
    for word in words:
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        if close:
            corrected.append(close[0])
    return corrected


def _postgres_search(queryset: QuerySet, words: list[str], *, loose: bool) -> QuerySet:
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
