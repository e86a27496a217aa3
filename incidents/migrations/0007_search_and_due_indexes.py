"""Indexes for finding tickets (issue 14): the technicians' search and the Overdue and Breaching soon
queues, at 100,000 tickets (docs/performance.md).

- ticket_open_due_idx: open tickets by their nearest running deadline (incidents.selectors.nearest_due),
  the order and the range of the Overdue and Breaching soon queues.
- On PostgreSQL, trigram indexes (pg_trgm) on the summary and the description, which answer the search's
  `icontains` (incidents.selectors.ticket_search) without reading every ticket. Django writes `icontains`
  as `UPPER(column) LIKE UPPER('%word%')`, so the indexes are on UPPER(column): an index on the column
  itself is never used (a sequential scan of 100,000 tickets, 0.5 s). Other databases search without
  them.
"""

import django.db.models.functions.comparison
from django.db import migrations, models

TRIGRAM = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS ticket_summary_trgm_idx ON incidents_ticket USING gin (upper(summary::text) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS ticket_description_trgm_idx ON incidents_ticket USING gin (upper(description) gin_trgm_ops);
"""
NO_TRIGRAM = """
DROP INDEX IF EXISTS ticket_summary_trgm_idx;
DROP INDEX IF EXISTS ticket_description_trgm_idx;
"""


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGRAM, params=None)


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_TRIGRAM, params=None)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_open_site_index")]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                django.db.models.functions.comparison.Least(
                    django.db.models.functions.comparison.Coalesce("response_due_at", "resolution_due_at"),
                    django.db.models.functions.comparison.Coalesce("resolution_due_at", "response_due_at"),
                ),
                models.F("id"),
                condition=models.Q(("status__in", ("new", "assigned", "in_progress", "pending", "reopened"))),
                name="ticket_open_due_idx",
            ),
        ),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
