"""Create the four roles (Staff, Technician, ICT Manager, Admin) as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from common.access import ROLES, sync_roles


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrate finishes; make them now so the grants can refer to them.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        config.models_module = None
    sync_roles(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("sites", "0002_table1_sites"),
    ]
    # It once waited for DRF's authtoken app, gone since the API's tokens are knox's (issue 16); the grants
    # of apps migrated later are made by common.access.sync_roles_after_migrate after every migrate.
    operations = [migrations.RunPython(create_roles, remove_roles)]
