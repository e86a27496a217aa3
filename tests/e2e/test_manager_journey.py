"""The ICT manager's journey in a real browser, over the demo history: sign in, land on the dashboard,
follow a figure to the tickets behind it, build last month's report, watch it being built, and download
the PDF and the spreadsheet, whose figures are the KPIs of that month."""

import io
import re
import threading

import pytest
from django.db import connection
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from reports import documents, kpis, services, tasks
from reports.periods import month_period, previous_month
from servicedesk import demo, demo_history

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo_desk(settings):
    """The demo users and a few months of demo tickets, as `make run` loads them."""
    settings.DEBUG = True
    demo.demo_data_load()
    demo_history.demo_history_load(tickets=250, seed=5)
    settings.DEBUG = False


@pytest.fixture
def worker(monkeypatch):
    """A stand-in Celery worker: a queued report is built in a thread of its own, in the background,
    as a real worker would (the page shows its progress meanwhile)."""
    threads = []

    def build(run_id):
        try:
            services.report_run_build(run_id=run_id)
        finally:
            connection.close()

    def apply_async(args=(), kwargs=None, **options):
        thread = threading.Thread(target=build, args=args, kwargs=kwargs or {}, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.build_report, "apply_async", apply_async)
    yield
    for thread in threads:
        thread.join(timeout=120)


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.mark.skipif(bool(documents.pdf_unavailable()), reason="WeasyPrint's Pango is not installed")
def test_manager_reads_the_dashboard_and_tables_last_months_report(
    page: Page, live_server, demo_desk, worker
):
    base = live_server.url
    month = previous_month()
    expected = kpis.month_report(month_period(month))["headline"]
    assert expected["logged"] > 0

    # Sign in: the manager lands on the dashboard with this month's headline figures.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(demo.demo_password())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    cards = page.locator(".kpi-card")
    expect(cards.first).to_contain_text("Tickets logged")
    expect(page.locator(".kpi-card", has_text="Resolution SLA met")).to_be_visible()

    # Last month on the dashboard: the figures are the report's.
    page.get_by_label("Period", exact=True).select_option(f"{month:%Y-%m}")
    page.get_by_role("button", name="Show").click()
    logged_card = page.locator(".kpi-card", has_text="Tickets logged")
    expect(logged_card.locator(".kpi-value")).to_have_text(str(expected["logged"]))
    expect(page.locator(".kpi-card", has_text="Tickets resolved").locator(".kpi-value")).to_have_text(
        str(expected["resolved"])
    )

    # A figure leads to the tickets it counts.
    logged_card.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Logged in the period")
    expect(page.locator("caption")).to_contain_text(f"{expected['logged']} ticket")

    # The reports page: build last month's report and watch it being built.
    page.get_by_role("link", name="Reports", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly ManCo reports")
    page.get_by_label("Month to report on").select_option(f"{month:%Y-%m}")
    page.get_by_role("button", name="Build the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{month:%B %Y} report")
    expect(page.locator("#run-state")).to_be_visible()
    # The page polls the progress and reloads itself when the report is ready.
    pdf_link = page.get_by_role("link", name="PDF for printing and tabling")
    expect(pdf_link).to_be_visible(timeout=90_000)
    expect(page.locator("#run-state")).to_contain_text("Ready")

    with page.expect_download() as pdf_download:
        pdf_link.click()
    pdf = pdf_download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert pdf_download.value.suggested_filename.endswith(".pdf")

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Spreadsheet (XLSX)").click()
    workbook = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    summary = workbook["Summary"]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=8, max_col=2, values_only=True) if row[0]}
    for row in kpis.headline_rows(kpis.month_report(month_period(month))):
        assert values[row["label"]] == row["value"], row["label"]
    assert values["Tickets logged"] == expected["logged"]
