"""Which service each kind of equipment belongs to, so that a ticket logged from an asset's QR label starts
on the right service. Admins change it in Django admin ("Services for asset types")."""

from django.db import migrations

# asset type -> service (by name, from 0002_seed_catalogue). Servers and "other" have no one service.
ASSET_TYPE_SERVICES = (
    ("desktop", "Computers and laptops"),
    ("laptop", "Computers and laptops"),
    ("printer", "Printing, copying and scanning"),
    ("telephone", "Desk telephones and extensions"),
    ("network_point", "Network points and Wi-Fi"),
    ("switch", "Network points and Wi-Fi"),
    ("network_link", "Site network link"),
)


def seed(apps, schema_editor):
    Service = apps.get_model("catalogue", "Service")
    AssetTypeService = apps.get_model("catalogue", "AssetTypeService")
    services = dict(Service.objects.values_list("name", "pk"))
    for asset_type, name in ASSET_TYPE_SERVICES:
        if name in services:
            AssetTypeService.objects.get_or_create(
                asset_type=asset_type, defaults={"service_id": services[name]}
            )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_request_defaults_and_asset_types")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
