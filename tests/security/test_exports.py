"""Item 6: formula injection in everything exported, checked by reading the files back.

Ticket summaries, descriptions, names, notes and commentary that start with = + - @, a tab or a CR (see
hostile.FORMULAS) go out through the report run's CSV and XLSX, the month's ticket CSV, and the admin's
CSV exports (asset register, service catalogue): every cell is text a spreadsheet shows as typed, and
no XLSX cell is a formula carrying them.
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
from .hostile import FORMULAS, hostile_world

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAYLOAD_WORDS = ("cmd|", "HYPERLINK", "SUM(1+1)", "=1+1")


@pytest.fixture
def hostile(world):
    return hostile_world(group_member=world.technician)


def csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def dangerous_csv_cells(data: bytes) -> list[str]:
    """Cells a spreadsheet would start evaluating: text beginning with a trigger character."""
    return [cell for cell in csv_cells(data) if cell.startswith(TRIGGERS)]


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


def test_the_months_ticket_csv_is_inert(hostile):
    period = month_period(timezone.localdate().replace(day=1))
    data = documents.build_tickets_csv(period)
    assert carried(csv_cells(data))
    assert dangerous_csv_cells(data) == []


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
    # The asset register export carries the hostile asset's model.
    assets = next(e for e in exports if "asset" in e.name)
    assert carried(csv_cells(client.get(assets.url({})).content))


@pytest.mark.parametrize("formula", FORMULAS)
def test_safe_cell_neutralises_each_trigger(formula):
    from common.spreadsheets import safe_cell

    assert not safe_cell(formula).startswith(TRIGGERS)
