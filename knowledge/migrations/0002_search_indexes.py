"""PostgreSQL only: pg_trgm, the GIN indexes over the stored search vectors and the trigram index over titles.
On SQLite (the embedded default) search falls back to plain matching and these are skipped."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS article_search_vector_idx ON knowledge_article USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS article_title_vector_idx ON knowledge_article USING gin (title_vector)",
    "CREATE INDEX IF NOT EXISTS article_title_trgm_idx ON knowledge_article USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS article_title_trgm_idx",
    "DROP INDEX IF EXISTS article_title_vector_idx",
    "DROP INDEX IF EXISTS article_search_vector_idx",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_articles")]
    operations = [migrations.RunPython(forward, backward)]
