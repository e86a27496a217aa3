"""The nine sites of Table 1 of the ICT Service Strategy 2025-26 (facts copied from mlm_sites.csv).

Each site also gets its buildings as inventory rows (numbered until an admin names them), with as many
marked connected as Table 1 counts, so that later assets can be placed in a building.
"""

from django.db import migrations

# name, town, computer users, buildings, connection type, network points, buildings connected,
# network printers, telephones: the CSV's columns, in its order.
TABLE1 = [
    ("Dutywa Main Building", "Dutywa", 90, 4, "MPLS (main building); 3 park homes wireless", 149, 4, 18, 75),
    ("New Community Services (Tesko)", "Dutywa", 7, 1, "MPLS", 9, 1, 1, 6),
    ("Dutywa Town Hall (Community Services)", "Dutywa", 12, 3, "Wireless to Customer Care", 20, 3, 2, 13),
    ("Customer Care", "Dutywa", 10, 1, "MPLS", 20, 1, 1, 8),
    ("Dutywa TRC", "Dutywa", 11, 1, "Wireless to Main Building Dutywa", 18, 1, 1, 4),
    ("Dutywa Workshop", "Dutywa", 7, 2, "MPLS and Fibre", 13, 2, 1, 6),
    ("Willowvale", "Willowvale", 5, 2, "MPLS and Fibre", 28, 2, 1, 4),
    ("Elliotdale", "Elliotdale", 15, 2, "MPLS and Wireless", 21, 2, 2, 14),
    ("Dutywa Pound", "Dutywa", 0, 1, "No connection", 12, 0, 0, 0),
]

# Table 1 says what the Main Building's four buildings are: the main building on MPLS, three park homes.
NAMED_BUILDINGS = {
    "Dutywa Main Building": [
        ("Main building", "MPLS"),
        ("Park home 1", "Wireless"),
        ("Park home 2", "Wireless"),
        ("Park home 3", "Wireless"),
    ],
}


def load_sites(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Building = apps.get_model("sites", "Building")
    for order, row in enumerate(TABLE1, start=1):
        name, town, users, buildings, connection, points, connected, printers, phones = row
        site, _ = Site.objects.update_or_create(
            name=name,
            defaults={
                "town": town,
                "computer_users": users,
                "buildings": buildings,
                "connection_type": connection,
                "network_points": points,
                "buildings_connected": connected,
                "network_printers": printers,
                "telephones": phones,
                "table_order": order,
            },
        )
        named = NAMED_BUILDINGS.get(name) or [
            (f"Building {n}" if buildings > 1 else "Building", connection if n <= connected else "")
            for n in range(1, buildings + 1)
        ]
        for index, (building_name, building_connection) in enumerate(named, start=1):
            Building.objects.get_or_create(
                site=site,
                name=building_name,
                defaults={"connected": index <= connected, "connection_type": building_connection},
            )


def unload_sites(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Building = apps.get_model("sites", "Building")
    names = [row[0] for row in TABLE1]
    Building.objects.filter(site__name__in=names).delete()
    Site.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]
    operations = [migrations.RunPython(load_sites, unload_sites)]
