"""On PostgreSQL, the database itself refuses to update or delete ticket history rows.

The model and its queryset refuse too, but only the database stops a hand-written UPDATE or an admin
with a SQL prompt; the audit trail is the municipality's evidence of what was done and when.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION incidents_ticketevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ticket history is append-only: % refused on incidents_ticketevent', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incidents_ticketevent_append_only
    BEFORE UPDATE OR DELETE ON incidents_ticketevent
    FOR EACH ROW EXECUTE FUNCTION incidents_ticketevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS incidents_ticketevent_append_only ON incidents_ticketevent;
DROP FUNCTION IF EXISTS incidents_ticketevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
