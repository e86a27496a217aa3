"""The asset register as CSV: all-or-nothing import with line errors, formula-safe export, round trip."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.spreadsheets import ImportRefused, csv_response
from sites import services
from sites.models import Asset, AssetStatus, AssetType, Building, ConnectionType, Site
from tests.factories import AssetFactory, UserFactory

pytestmark = pytest.mark.django_db
COLUMNS = services.ASSET_REGISTER_COLUMNS


def upload(rows, header=COLUMNS, name="assets.csv"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header] if isinstance(row, dict) else row)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def row(**values):
    base = {
        "asset_tag": "MLM-PRN-0001",
        "type": "printer",
        "make": "Kyocera",
        "model": "ECOSYS M3145dn",
        "serial": "VCF0001",
        "site": "Dutywa Main Building",
        "building": "Main building",
        "location": "2nd floor, Finance office",
        "status": "in_use",
        "purchase_date": "2024-02-01",
        "warranty_expires": "2027-02-01",
    }
    return {**base, **values}


def thousand_rows():
    """1,000 assets spread over the nine sites and their buildings, a tenth assigned to someone."""
    buildings = list(Building.objects.select_related("site").order_by("pk"))
    UserFactory(username="nomvula")
    rows = []
    for n in range(1000):
        building = buildings[n % len(buildings)]
        rows.append(
            row(
                asset_tag=f"MLM-DSK-{n:04d}",
                type="Desktop" if n % 2 else "desktop",
                make="HP",
                model="ProDesk 400 G7",
                serial=f"CND{n:06d}",
                site=building.site.name,
                building=building.name,
                status="In use" if n % 3 else "in_store",
                assigned_to="nomvula" if n % 10 == 0 else "",
                notes=f"row {n}",
            )
        )
    return rows


def test_a_thousand_rows_import_in_a_fixed_handful_of_queries(admin_role_user, django_assert_max_num_queries):
    file = upload(thousand_rows())

    # Reads are a fixed few; writes are batches (on SQLite ~999 parameters each), never one per row.
    with django_assert_max_num_queries(80):
        count = services.asset_register_import(upload=file, user=admin_role_user)

    assert count == 1000
    assert Asset.objects.count() == 1000
    asset = Asset.objects.select_related("site", "building", "assigned_to").get(asset_tag="MLM-DSK-0010")
    building = Building.objects.order_by("pk")[10 % Building.objects.count()]
    assert (asset.type, asset.status, asset.serial, asset.notes) == (
        AssetType.DESKTOP,
        AssetStatus.IN_USE,
        "CND000010",
        "row 10",
    )
    assert (asset.site, asset.building) == (building.site, building)
    assert asset.assigned_to.username == "nomvula"
    assert str(asset.warranty_expires) == "2027-02-01"
    history = asset.history.get()
    assert (history.history_user, history.history_change_reason) == (admin_role_user, "CSV import")


def test_one_bad_row_among_good_ones_changes_nothing_and_names_its_line(admin_role_user):
    kept = AssetFactory(asset_tag="MLM-PRN-0001", make="HP", site=Site.objects.get(name="Customer Care"))
    rows = [row(asset_tag=f"MLM-PRN-{n:04d}") for n in range(1, 40)]
    rows[20]["site"] = "Mthatha"  # line 22: the header is line 1

    with pytest.raises(ImportRefused) as refused:
        services.asset_register_import(upload=upload(rows), user=admin_role_user)

    assert [str(error) for error in refused.value.errors] == ["line 22: unknown site 'Mthatha'"]
    assert list(Asset.objects.values_list("asset_tag", flat=True)) == ["MLM-PRN-0001"]
    kept.refresh_from_db()
    assert kept.make == "HP"
    assert kept.history.count() == 1


def test_every_bad_row_is_reported_in_plain_words(admin_role_user):
    rows = [
        row(asset_tag="MLM-PRN-0001"),
        row(asset_tag="MLM-PRN-0001"),
        row(asset_tag="MLM-PRN-0003", purchase_date="01/02/2024"),
        row(asset_tag="MLM-PRN-0004", site="Willowvale", building="Main building"),
        row(asset_tag="MLM-PRN-0005", assigned_to="ghost"),
        row(asset_tag="MLM-PRN-0006", type="toaster"),
        row(asset_tag="MLM-PRN-0007", status=""),
        row(asset_tag="MLM-LNK-0008", type="network link", connection_type=""),
        row(asset_tag="MLM-PRN-0009", warranty_expires="2020-01-01"),
        row(asset_tag="<script>alert(1)</script>"),
        row(asset_tag="MLM-PRN-0011", far_site="Dutywa TRC"),
        row(asset_tag="MLM-PRN-0012", purchase_date="2024-02-30"),
    ]

    with pytest.raises(ImportRefused) as refused:
        services.asset_register_import(upload=upload(rows), user=admin_role_user)

    errors = {error.line: error.message for error in refused.value.errors}
    assert sorted(errors) == list(range(3, 14))
    assert errors[3] == "asset tag MLM-PRN-0001 is also on line 2"
    assert errors[4] == "purchase_date '01/02/2024' is not a date written YYYY-MM-DD"
    assert errors[5] == "building 'Main building' is not at Willowvale"
    assert errors[6] == "unknown user 'ghost'"
    assert errors[7].startswith("type 'toaster' is not one of Desktop, Laptop, Printer")
    assert errors[8].startswith("status is blank; it must be one of In use")
    assert errors[9] == "connection_type: A network link needs a connection type."
    assert errors[10] == "warranty_expires: The warranty cannot end before the purchase date."
    assert errors[11].startswith("asset_tag: Use capital letters, digits and single dashes only")
    assert errors[12] == "far_site: Only a network link has a far site."
    assert errors[13] == "purchase_date '2024-02-30' is not a date written YYYY-MM-DD"
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ([c for c in COLUMNS if c != "site"], "line 1: missing column(s): site"),
        ([*COLUMNS, "colour"], "line 1: unknown column(s): colour"),
    ],
)
def test_unknown_or_missing_columns_are_refused(admin_role_user, header, message):
    file = upload([row()], header=header)

    with pytest.raises(ImportRefused) as refused:
        services.asset_register_import(upload=file, user=admin_role_user)

    assert [str(error) for error in refused.value.errors] == [message]
    assert not Asset.objects.exists()


def test_known_tags_are_updated_and_new_tags_created(admin_role_user):
    site = Site.objects.get(name="Dutywa Main Building")
    existing = AssetFactory(asset_tag="MLM-PRN-0001", type=AssetType.PRINTER, make="HP", site=site)
    rows = [
        row(asset_tag="mlm-prn-0001", make="Kyocera", status="In repair"),  # any case finds the tag
        row(asset_tag="MLM-LNK-0001", type="Network link", connection_type="Wireless", far_site="Dutywa TRC"),
    ]

    count = services.asset_register_import(upload=upload(rows), user=admin_role_user)

    assert count == 2
    existing.refresh_from_db()
    assert (existing.make, existing.status) == ("Kyocera", AssetStatus.IN_REPAIR)
    changed = existing.history.first()
    assert (changed.history_type, changed.history_user) == ("~", admin_role_user)
    new_link = Asset.objects.get(asset_tag="MLM-LNK-0001")
    assert new_link.connection_type == ConnectionType.WIRELESS
    assert new_link.link_description == "Dutywa Main Building -> Dutywa TRC, wireless"


def test_formula_like_cells_are_written_inert(admin_role_user):
    AssetFactory(asset_tag="MLM-DSK-0001", make='=HYPERLINK("http://evil")', model="+1", notes="@SUM(A1)")

    header, rows = services.asset_register_export(Asset.objects.all())
    response = csv_response("assets.csv", header, rows)

    read_back = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert read_back[0]["make"] == '\'=HYPERLINK("http://evil")'
    assert read_back[0]["model"] == "'+1"
    assert read_back[0]["notes"] == "'@SUM(A1)"


def test_export_then_import_changes_nothing(admin_role_user):
    main = Site.objects.get(name="Dutywa Main Building")
    AssetFactory(
        asset_tag="MLM-DSK-0001",
        site=main,
        building=main.building_set.get(name="Park home 2"),
        assigned_to=UserFactory(username="nomvula"),
        make="-Dell",
        notes="Line one\nline two, with a comma",
    )
    AssetFactory(
        asset_tag="MLM-LNK-0001",
        type=AssetType.NETWORK_LINK,
        make="",
        model="",
        serial="",
        connection_type=ConnectionType.MPLS,
        site=Site.objects.get(name="Willowvale"),
        far_site=main,
    )
    fields = [f.attname for f in Asset._meta.concrete_fields]
    before = list(Asset.objects.order_by("pk").values(*fields))
    history_before = Asset.history.count()

    header, rows = services.asset_register_export(Asset.objects.all())
    exported = csv_response("assets.csv", header, rows).content
    count = services.asset_register_import(
        upload=SimpleUploadedFile("assets.csv", exported, content_type="text/csv"), user=admin_role_user
    )

    assert count == 0
    assert list(Asset.objects.order_by("pk").values(*fields)) == before
    assert Asset.history.count() == history_before


def test_a_reimport_that_changes_every_column_writes_exactly_the_new_file(admin_role_user):
    UserFactory(username="nomvula")
    UserFactory(username="thabo")
    first = [
        row(asset_tag=f"MLM-DSK-{n:04d}", type="desktop", serial=f"S{n}", assigned_to="nomvula")
        for n in range(30)
    ]
    services.asset_register_import(upload=upload(first), user=admin_role_user)
    second = [
        row(
            asset_tag=f"MLM-DSK-{n:04d}",
            type=["laptop", "network_link", "telephone"][n % 3],
            make=f"Make {n % 2}",
            model=f"Model {n}",
            serial=f"T{n}",
            site=["Willowvale", "Elliotdale"][n % 2],
            building="" if n % 4 == 0 else "Building 2",
            location="" if n % 4 == 0 else f"Office {n}",
            status=["in_store", "in_repair", "retired"][n % 3],
            assigned_to=["", "thabo", "nomvula"][n % 3],
            purchase_date="" if n % 5 == 0 else f"2021-0{1 + n % 9}-15",
            warranty_expires="" if n % 5 == 0 else "2029-12-31",
            connection_type="fibre" if n % 3 == 1 else "",
            far_site="Dutywa Main Building" if n % 3 == 1 and n % 2 else "",
            notes=f"second file, row {n}",
        )
        for n in range(30)
    ]

    count = services.asset_register_import(upload=upload(second), user=admin_role_user)

    assert count == 30
    _, rows = services.asset_register_export(Asset.objects.all())
    expected = [[r[column] for column in COLUMNS] for r in second]
    assert rows == expected
    assert Asset.history.filter(history_type="~").count() == 30


def test_an_assets_location_round_trips(admin_role_user):
    """Export, change the locations, import the export: each location is back as exported."""
    main = Site.objects.get(name="Dutywa Main Building")
    AssetFactory(asset_tag="MLM-PRN-0002", site=main, location="2nd floor, Finance office")
    AssetFactory(asset_tag="MLM-PRN-0003", site=main, location="")
    header, rows = services.asset_register_export(Asset.objects.all())
    assert header[header.index("building") + 1] == "location"
    exported = csv_response("assets.csv", header, rows).content
    Asset.objects.update(location="Somewhere else")

    count = services.asset_register_import(
        upload=SimpleUploadedFile("assets.csv", exported, content_type="text/csv"), user=admin_role_user
    )

    assert count == 2
    assert dict(Asset.objects.values_list("asset_tag", "location")) == {
        "MLM-PRN-0002": "2nd floor, Finance office",
        "MLM-PRN-0003": "",
    }


def test_a_file_without_the_location_column_keeps_locations(admin_role_user):
    services.asset_register_import(upload=upload([row()]), user=admin_role_user)
    older = [column for column in COLUMNS if column != "location"]

    services.asset_register_import(
        upload=upload([row(notes="changed"), row(asset_tag="MLM-PRN-0009")], header=older),
        user=admin_role_user,
    )

    assert dict(Asset.objects.values_list("asset_tag", "location")) == {
        "MLM-PRN-0001": "2nd floor, Finance office",
        "MLM-PRN-0009": "",
    }
    assert Asset.objects.get(asset_tag="MLM-PRN-0001").notes == "changed"
