"""The ManCo report's Changes section and the dashboard's change block (reports/kpis/changes.py)."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from changes.models import ChangeApproval, ChangeStatus, Outcome
from reports import documents
from reports.kpis.changes import change_management
from reports.periods import month_period
from tests.factories import ChangeFactory, TicketFactory, UserFactory
from tests.reports.stored import counted

pytestmark = pytest.mark.django_db
S = ChangeStatus
MARCH = datetime.date(2027, 3, 1)


def at(day, hour=10):
    return datetime.datetime(2027, 3, day, hour, tzinfo=timezone.get_default_timezone())


def done(day, outcome, **fields):
    return ChangeFactory(**{"status": S.IMPLEMENTED, "outcome": outcome, "implemented_at": at(day), **fields})


@pytest.fixture
def march():
    ok = done(2, Outcome.SUCCESSFUL)
    done(3, Outcome.WITH_ISSUES, review="Slow.")
    failed = done(4, Outcome.FAILED, review="Uplink module faulty.", summary="Replace the Willowvale switch")
    failed.caused_incidents.add(TicketFactory(), TicketFactory())
    emergency = done(5, Outcome.SUCCESSFUL, type="emergency", summary="Restore the mail server")
    critical = done(26, Outcome.SUCCESSFUL, in_critical_period=True, summary="Patch Munsoft")
    ChangeApproval.objects.create(
        change=critical,
        approver=UserFactory(),
        decision="approved",
        at=at(20),
        justification="Vendor's only window.",
    )
    done(2, Outcome.SUCCESSFUL, implemented_at=at(28) - datetime.timedelta(days=40))  # January: not counted
    scheduled = ChangeFactory(
        status=S.SCHEDULED, summary="Upgrade the firewall", planned_start=at(30), planned_end=at(30, 12)
    )
    return {"ok": ok, "failed": failed, "emergency": emergency, "critical": critical, "scheduled": scheduled}


def test_the_section_counts_by_type_and_outcome_and_lists_what_manco_asks(march):
    section = change_management(month_period(MARCH, now=at(31, 23)))
    normal = next(row for row in section["by_type"] if row["type"] == "Normal")
    assert (normal["implemented"], normal["successful"], normal["with_issues"], normal["failed"]) == (
        4,
        2,
        1,
        1,
    )
    assert section["implemented"] == 5 and section["success_rate"] == 80.0
    assert [(r["reference"], r["approved"]) for r in section["emergency"]] == [
        (march["emergency"].reference, False)
    ]
    assert [(r["reference"], r["incidents"]) for r in section["caused_incidents"]] == [
        (march["failed"].reference, 2)
    ]
    assert [(r["reference"], r["justifications"]) for r in section["in_critical_periods"]] == [
        (march["critical"].reference, ["Vendor's only window."])
    ]
    assert [r["reference"] for r in section["scheduled"]] == [march["scheduled"].reference]
    assert [r["reference"] for r in section["failed"]] == [march["failed"].reference]


def test_the_pdf_has_a_changes_chapter(march):
    report = {"change_management": change_management(month_period(MARCH, now=at(31, 23)))}
    html = render_to_string("reports/includes/changes_section.html", {"report": report})
    assert "Changes by type and outcome" in html and "Vendor&#x27;s only window." in html
    assert "Restore the mail server" in html and "not yet approved" in html


def test_the_dashboard_shows_this_months_scheduled_and_failed_changes(march, manager_user, signed_in, frozen):
    frozen(2027, 3, 31, 12, 0)
    page = counted(signed_in(manager_user), reverse("dashboard"), {"month": "2027-03"}).content.decode()
    assert "Changes this month" in page
    assert "Upgrade the firewall" in page and "Replace the Willowvale switch" in page
    assert reverse("changes:change_detail", args=[march["failed"].pk]) in page


def test_documents_still_render_a_snapshot_from_before_changes(march):
    from reports import kpis

    report = kpis.month_report(month_period(MARCH, now=at(31, 23)))
    report.pop("change_management")
    html = render_to_string("reports/report_pdf.html", documents.pdf_context(report, commentary={}))
    assert "10. Changes" not in html


def test_the_section_takes_a_fixed_number_of_queries(march):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    period = month_period(MARCH, now=at(31, 23))

    def count():
        with CaptureQueriesContext(connection) as captured:
            change_management(period)
        return len(captured)

    few = count()
    for day in range(6, 20):
        done(day, Outcome.FAILED, review="x", in_critical_period=True, type="emergency").caused_incidents.add(
            TicketFactory()
        )
    assert count() == few == 7
