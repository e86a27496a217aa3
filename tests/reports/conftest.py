"""Fixtures for the reports tests: a frozen clock and one hand-built month with known answers."""

from datetime import datetime

import pytest

from tests.reports.scenario import SAST, build_scenario


@pytest.fixture(autouse=True)
def _report_urls(settings):
    """servicedesk/urls.py does not mount reports yet (see tests/reports/urls.py)."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("reports:runs")
        reverse("report-kpis-list")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.reports.urls"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen_start():
    """The reports' "now": Tuesday 3 November 2026 09:00 (tests/conftest.py's `frozen` starts here)."""
    return datetime(2026, 11, 3, 9, 0, tzinfo=SAST)


@pytest.fixture
def scenario(frozen, db):
    """September and October 2026 built ticket by ticket through the services; "now" ends at
    Tuesday 3 November 2026 09:00. tests/reports/scenario.py works out every answer by hand."""
    return build_scenario(frozen)


@pytest.fixture
def quick_pdf(monkeypatch):
    """A stand-in for WeasyPrint where the test is not about the PDF (a real one takes seconds)."""
    from reports import documents

    def build_pdf(report, *, commentary, run=None):
        signed = b" signed" if run is not None and run.signed_off_at else b""
        return b"%PDF-1.7 stand-in " + report["period"]["label"].encode() + signed

    monkeypatch.setattr(documents, "build_pdf", build_pdf)
