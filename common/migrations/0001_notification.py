"""The mail outbox moves from incidents to common without moving a row.

State only: the table incidents_notification stays as it is (the model keeps it as db_table), and
incidents/0008_notification_to_common drops the model from incidents' state and hands its content type
(and so its permissions) to common. This is the one migration of common that knows incidents: it must
take over a table that incidents made; 0002_notification_about then drops the ticket column.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("incidents", "0006_open_site_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("to_address", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=200)),
                        ("body_text", models.TextField()),
                        ("body_html", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.CharField(blank=True, max_length=300)),
                        (
                            "recipient",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "ticket",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="incidents.ticket",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_notification",
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(fields=["sent_at", "attempts"], name="notification_unsent_idx")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
