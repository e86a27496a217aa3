"""The typo pass's vocabulary (knowledge.SearchWord): every word of every article's title and body, with a
pg_trgm GiST index on PostgreSQL (nearest word first, `ORDER BY word <-> 'pasword' LIMIT 1`), filled from
the articles there are."""

import re

from django.db import migrations, models

# knowledge.search.VOCABULARY_WORD, copied: a migration keeps the rule of its day.
WORD = re.compile(r"\b[^\W\d_]{3,40}\b")


def fill(apps, schema_editor):
    Article = apps.get_model("knowledge", "Article")
    SearchWord = apps.get_model("knowledge", "SearchWord")
    words: set[str] = set()
    for title, body in Article.objects.values_list("title", "body").iterator(chunk_size=500):
        words.update(word.lower() for word in WORD.findall(f"{title} {body}"))
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], batch_size=1000, ignore_conflicts=True
    )


def index(apps, schema_editor):
    # The titles' trigram index (0002) served the typo pass that this vocabulary replaces.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchword_trgm_idx ON knowledge_searchword "
            "USING gist (word gist_trgm_ops)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS article_title_trgm_idx")


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchword_trgm_idx")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_title_trgm_idx ON knowledge_article "
            "USING gin (title gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_indexes")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.CharField(max_length=40, primary_key=True, serialize=False))],
        ),
        migrations.RunPython(index, unindex),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
