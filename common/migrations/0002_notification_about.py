"""The outbox forgets tickets: `ticket` becomes the generic `about` (content type and id), every row's
ticket copied over before the column goes; `claimed_until` is the sender's lease (common/outbox.py)."""

import django.db.models.deletion
from django.db import migrations, models


def ticket_to_about(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Notification = apps.get_model("common", "Notification")
    db = schema_editor.connection.alias
    rows = Notification.objects.using(db).filter(ticket__isnull=False)
    if rows.exists():
        ticket_type, _ = ContentType.objects.using(db).get_or_create(app_label="incidents", model="ticket")
        rows.update(about_type=ticket_type, about_id=models.F("ticket_id"))


def about_to_ticket(apps, schema_editor):
    Notification = apps.get_model("common", "Notification")
    db = schema_editor.connection.alias
    Notification.objects.using(db).filter(
        about_type__app_label="incidents", about_type__model="ticket"
    ).update(ticket_id=models.F("about_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_notification"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0008_notification_to_common"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="about_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(ticket_to_about, about_to_ticket),
        migrations.RemoveField(model_name="notification", name="ticket"),
        migrations.AddField(
            model_name="notification",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["about_type", "about_id"], name="notification_about_idx"),
        ),
    ]
