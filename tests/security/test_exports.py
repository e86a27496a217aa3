"""Item 6: formula injection in everything exported, checked by reading the files back.

Ticket summaries, descriptions, names, notes and commentary that start with = + - @, a tab or a CR (see
hostile.FORMULAS), or hold one after a separator (hostile.SEPARATED: `x;=cmd|' /C calc'!A0;`), go out
through the report run's CSV and XLSX, the month's ticket CSV, and the admin's CSV exports (asset
register, service catalogue): every cell is text a spreadsheet shows as typed, whichever separator it
splits on (`,` `;` tab) and whether or not it honours quotes; every text cell is quoted; and no XLSX cell
is a formula carrying them.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from reports import documents, services
from reports.periods import month_period

from .endpoints import all_endpoints
from .hostile import FORMULAS, SEPARATED, hostile_world

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAYLOAD_WORDS = ("cmd|", "HYPERLINK", "SUM(1+1)", "=1+1")


@pytest.fixture
def hostile(world):
    return hostile_world(group_member=world.technician)


def csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


SEPARATORS = (",", ";", "\t")


def dangerous_csv_cells(data: bytes) -> list[str]:
    """Cells a spreadsheet would start evaluating: text beginning with a trigger character, read as a
    CSV should be, or split on `,`, `;` or a tab by a spreadsheet that honours quotes or one that does
    not (each line split as it stands), spaces before the trigger ignored."""
    found = [cell for cell in csv_cells(data) if cell.startswith(TRIGGERS)]
    text = data.decode("utf-8-sig")
    for separator in SEPARATORS:
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=separator) for cell in row]
        cells += [piece.strip('" ') for line in text.splitlines() for piece in line.split(separator)]
        found += [
            f"{separator!r}: {cell!r}"
            for cell in cells
            if cell.lstrip(' "').startswith(("=", "+", "-", "@")) and any(w in cell for w in PAYLOAD_WORDS)
        ]
    return found


def unquoted_text(data: bytes) -> list[str]:
    """Text cells written without quotes: read back with QUOTE_NONNUMERIC, such a cell is not a number."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")), quoting=csv.QUOTE_NONNUMERIC)
    try:
        list(reader)
    except ValueError as unquoted:
        return [f"line {reader.line_num}: {unquoted}"]
    return []


def carried(cells: list[str]) -> bool:
    return any(word in cell for cell in cells for word in PAYLOAD_WORDS)


def dangerous_xlsx_cells(data: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str):
                    continue
                if cell.data_type == "f" and any(word in value for word in PAYLOAD_WORDS):
                    found.append(f"{sheet.title}!{cell.coordinate}: formula {value!r}")
                elif value.startswith(TRIGGERS) and any(word in value for word in PAYLOAD_WORDS):
                    found.append(f"{sheet.title}!{cell.coordinate}: {value!r}")
    return found


def xlsx_texts(data: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_the_report_runs_csv_and_xlsx_carry_the_formulas_as_inert_text(world, hostile):
    run = hostile.report_run
    assert services.report_run_build(run_id=run.pk), run.error
    client = Client()
    client.force_login(world.manager)
    xlsx = b"".join(client.get(f"/reports/runs/{run.pk}/download/xlsx/").streaming_content)
    tickets_csv = b"".join(client.get(f"/reports/runs/{run.pk}/download/csv/").streaming_content)
    assert carried(xlsx_texts(xlsx)) and carried(csv_cells(tickets_csv))  # the payloads are in the files
    assert dangerous_xlsx_cells(xlsx) == []
    assert dangerous_csv_cells(tickets_csv) == []
    assert unquoted_text(tickets_csv) == []


def test_the_months_ticket_csv_is_inert(hostile):
    period = month_period(timezone.localdate().replace(day=1))
    data = documents.build_tickets_csv(period)
    assert carried(csv_cells(data))
    assert "x;'=cmd|' /C calc'!A0;" in data.decode("utf-8-sig")  # the separated payload, made inert
    assert dangerous_csv_cells(data) == []
    assert unquoted_text(data) == []


def test_every_admin_csv_export_is_inert(world, hostile):
    exports = [e for e in all_endpoints() if e.is_admin and e.name.endswith("_export_csv")]
    assert exports, "the admin's CSV exports were not found in the URL conf"
    client = Client()
    client.force_login(hostile.superuser)
    for endpoint in exports:
        response = client.get(endpoint.url({}))
        assert response.status_code == 200, endpoint.route
        data = response.content
        assert dangerous_csv_cells(data) == [], endpoint.route
        assert unquoted_text(data) == [], endpoint.route
    # The asset register export carries the hostile asset's model.
    assets = next(e for e in exports if "asset" in e.name)
    assert carried(csv_cells(client.get(assets.url({})).content))


@pytest.mark.parametrize("formula", FORMULAS)
def test_safe_cell_neutralises_each_trigger(formula):
    from common.spreadsheets import safe_cell

    assert not safe_cell(formula).startswith(TRIGGERS)


@pytest.mark.parametrize("formula", SEPARATED)
def test_csv_cell_neutralises_a_trigger_after_any_separator(formula):
    from common.spreadsheets import csv_cell

    cell = csv_cell(formula)
    for separator in (*SEPARATORS, "\n"):
        for piece in cell.split(separator):
            assert not piece.lstrip(" ").startswith(("=", "+", "-", "@")), (separator, cell)
    assert cell.replace("'", "") == formula.replace("'", "")  # only apostrophes were added


def test_csv_cell_leaves_numbers_and_plain_text_alone():
    from common.spreadsheets import csv_cell

    assert csv_cell(3) == 3
    assert csv_cell(2.5) == 2.5
    assert csv_cell(None) == ""
    assert csv_cell("Printer on floor 2, jammed; again") == "Printer on floor 2, jammed; again"
    assert csv_cell("Dutywa - Willowvale link") == "Dutywa - Willowvale link"
