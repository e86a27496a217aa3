"""The risk matrix's nine cells, a few standard-change templates, and append-only change history (on
PostgreSQL the database refuses to update or delete a ChangeEvent, as for ticket history)."""

from django.db import migrations

MATRIX = {
    ("low", "low"): "low",
    ("low", "medium"): "low",
    ("low", "high"): "medium",
    ("medium", "low"): "low",
    ("medium", "medium"): "medium",
    ("medium", "high"): "high",
    ("high", "low"): "medium",
    ("high", "medium"): "high",
    ("high", "high"): "high",
}

TEMPLATES = [
    {
        "name": "Add a network point",
        "reason": "A new desk or office needs a wired connection to the municipal network.",
        "implementation_plan": "Run the cable from the nearest switch, terminate and label the point, patch "
        "it to a free switch port in the user VLAN.",
        "backout_plan": "Unpatch the port; the new point stays unused. No existing point is touched.",
        "test_plan": "Connect a laptop: it gets an address by DHCP and opens the intranet.",
        "interrupts_service": False,
    },
    {
        "name": "Replace a toner-cartridge printer",
        "reason": "The printer is beyond economical repair; a like-for-like replacement from stock.",
        "implementation_plan": "Install the replacement at the same address and queue name; move the asset "
        "tag in the register; collect the old printer for disposal.",
        "backout_plan": "Put the old printer back on the same address until the new one works.",
        "test_plan": "Print a test page from two users' PCs and from the print server.",
        "interrupts_service": False,
    },
    {
        "name": "Reset a user's mailbox quota",
        "reason": "A mailbox is full and the user cannot receive mail.",
        "implementation_plan": "Raise the quota by one step in the mail admin console.",
        "backout_plan": "Set the quota back to its previous value.",
        "test_plan": "Send a test mail to the user and see it arrive.",
        "interrupts_service": False,
    },
]

CREATE = """
CREATE OR REPLACE FUNCTION changes_changeevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'change history is append-only: % refused on changes_changeevent', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER changes_changeevent_append_only
    BEFORE UPDATE OR DELETE ON changes_changeevent
    FOR EACH ROW EXECUTE FUNCTION changes_changeevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS changes_changeevent_append_only ON changes_changeevent;
DROP FUNCTION IF EXISTS changes_changeevent_append_only();
"""


def seed(apps, schema_editor):
    Cell = apps.get_model("changes", "RiskMatrixCell")
    for (likelihood, impact), risk in MATRIX.items():
        Cell.objects.get_or_create(likelihood=likelihood, impact=impact, defaults={"risk": risk})
    Template = apps.get_model("changes", "ChangeTemplate")
    for template in TEMPLATES:
        Template.objects.get_or_create(name=template["name"], defaults=template)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]
    operations = [
        # seed is also called by tests/migration_data.py after a transactional test's flush.
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
