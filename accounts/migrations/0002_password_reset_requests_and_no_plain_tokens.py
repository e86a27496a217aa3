"""Password-reset requests counted (accounts/password_reset.py), and DRF's plain API tokens dropped.

The API's tokens are django-rest-knox's now, stored only as digests (docs/decisions/0014). DRF's tokens
sat in `authtoken_token` in plain text, one per person, for ever: they are deleted with their table, not
converted (a digest could be made from each, but a token that may already have leaked should not live on).
Clients sign in again with POST /api/auth/token/. The app's migration records and content types (with its
permissions) go too, so nothing refers to a table that no longer exists.
"""

from django.db import migrations, models


def drop_plain_tokens(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS authtoken_token")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="PasswordResetRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("requested_at", models.DateTimeField(db_index=True)),
                ("client_address", models.GenericIPAddressField(blank=True, null=True)),
                ("address_digest", models.CharField(max_length=64)),
                ("allowed", models.BooleanField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["address_digest", "requested_at"], name="reset_by_address"),
                    models.Index(fields=["client_address", "requested_at"], name="reset_by_client"),
                ],
            },
        ),
        # Irreversible in effect: going back leaves the table gone (DRF's migrations would make it anew).
        migrations.RunPython(drop_plain_tokens, migrations.RunPython.noop),
    ]
