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


LAYOUT_JS = """() => {
  const tables = [...document.querySelectorAll('table')].map(t => {
    const box = t.closest('.table-wrap') || t.parentElement;
    return {caption: (t.querySelector('caption, th')?.innerText || '').slice(0, 40),
            over: Math.round(t.getBoundingClientRect().width - box.clientWidth),
            scrolls: box.scrollWidth > box.clientWidth + 1,
            scroll_box: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)};
  });
  const charts = [...document.querySelectorAll('svg.chart')].map(s => ({
    label: s.getAttribute('aria-label'), title: s.querySelector('title')?.textContent,
    drawn: [...s.querySelectorAll('text[font-weight=bold] tspan')].map(t => t.textContent).join(' ')}));
  return {sideways: document.documentElement.scrollWidth - window.innerWidth, tables, charts};
}"""


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(demo.demo_password())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_the_dashboard_holds_at_phone_and_desktop_widths(page: Page, live_server, demo_desk):
    """At 1366 px "By site", "By service category" and "By service" cut off their last column; the
    charts had no titles. Now nothing scrolls sideways, every table is whole at 1366 px (on a phone a
    table may scroll inside its own box, never the page), and every chart has its title, drawn and
    given to screen readers."""
    _sign_in(page, live_server.url)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/dashboard/?month={previous_month():%Y-%m}")
        layout = page.evaluate(LAYOUT_JS)
        assert layout["sideways"] <= 0, (width, layout["sideways"])
        assert len(layout["tables"]) >= 10 and len(layout["charts"]) == 4
        for table in layout["tables"]:
            if width == 1366:
                assert table["over"] <= 1 and not table["scrolls"], table  # whole, no scroll bar
            else:
                assert table["over"] <= 1 or table["scroll_box"], table  # or in its own scroll box
        for chart in layout["charts"]:
            assert chart["label"] and chart["label"] == chart["title"] == chart["drawn"], (width, chart)


@pytest.mark.skipif(bool(documents.pdf_unavailable()), reason="WeasyPrint's Pango is not installed")
def test_saving_commentary_answers_at_once_and_the_files_follow(
    page: Page, live_server, demo_desk, monkeypatch
):
    """Saving commentary took 8.6 s with nothing on the page to say so. Now the words are kept at once,
    the page says the files are being redrawn, and reloads when the worker has drawn them."""
    import time

    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.get(username="manager")
    monkeypatch.setattr(tasks.build_report, "apply_async", lambda *args, **kwargs: None)  # built below
    run = services.report_run_request(month=previous_month(), by=manager)
    assert services.report_run_build(run_id=run.pk)
    threads = []

    def redraw(run_id):
        try:
            time.sleep(1)  # a worker picks it up a moment later
            services.report_run_redraw(run_id=run_id)
        finally:
            connection.close()

    def apply_async(args=(), kwargs=None, **options):
        thread = threading.Thread(target=redraw, args=args, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.redraw_report, "apply_async", apply_async)
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/reports/runs/{run.pk}/")
    page.get_by_label("Executive summary").fill("The backlog fell by a third.")
    started = time.perf_counter()
    page.get_by_role("button", name="Save commentary").click()
    expect(page.get_by_text("Commentary saved.")).to_be_visible()
    answered = time.perf_counter() - started
    print(f"saving commentary answered in {answered:.2f} s")
    assert answered < 1.0
    expect(page.locator("#run-state")).to_contain_text("Redrawing the PDF and spreadsheet")
    expect(page.locator("#run-state")).not_to_contain_text("Redrawing", timeout=60_000)  # reloaded when drawn
    for thread in threads:
        thread.join(timeout=60)
    run.refresh_from_db()
    assert not run.files_pending and run.commentary == {"summary": "The backlog fell by a third."}
