"""On PostgreSQL, the database itself refuses to update or delete problem history rows (as for tickets).

The model and its queryset refuse too, but only the database stops a hand-written UPDATE or an admin
with a SQL prompt; the audit trail is the municipality's evidence of what was done and when.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION problems_problemevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'problem history is append-only: % refused on problems_problemevent', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER problems_problemevent_append_only
    BEFORE UPDATE OR DELETE ON problems_problemevent
    FOR EACH ROW EXECUTE FUNCTION problems_problemevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS problems_problemevent_append_only ON problems_problemevent;
DROP FUNCTION IF EXISTS problems_problemevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("problems", "0002_improvement")]
    operations = [migrations.RunPython(create, drop)]
