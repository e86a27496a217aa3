"""The Notification model now lives in common (common/0001_notification): state only, no row moves.

Its content type is renamed to common.notification, so the permissions granted on it (which point at the
content type) follow the model.
"""

from django.db import migrations


def content_type_to(app_label: str, other: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        old = ContentType.objects.using(db).filter(app_label=other, model="notification")
        if not old.exists():
            return
        # A content type made for the new label meanwhile (post_migrate) would clash: the old one wins,
        # since permissions and admin log entries point at it.
        ContentType.objects.using(db).filter(app_label=app_label, model="notification").delete()
        old.update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_notification"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0007_search_and_due_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to("common", "incidents"), content_type_to("incidents", "common")),
    ]
