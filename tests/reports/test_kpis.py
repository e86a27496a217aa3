"""Every KPI against the hand-built month of tests/reports/scenario.py."""

import pytest

from reports import kpis
from reports.periods import month_period
from tests.reports import scenario as answers

pytestmark = pytest.mark.django_db


def test_october_headline(scenario):
    report = kpis.month_report(month_period(answers.OCTOBER))
    assert report["headline"] == answers.OCTOBER_HEADLINE
    assert report["details"] == answers.OCTOBER_DETAILS


def test_september_headline_and_october_change(scenario):
    report = kpis.month_report(month_period(answers.OCTOBER))
    assert report["previous"] == answers.SEPTEMBER_HEADLINE
    assert report["previous_period"]["month"] == "2026-09"
    logged = report["changes"]["logged"]
    assert (logged["difference"], logged["relative"], logged["direction"]) == (6, 300.0, "up")
    compliance = report["changes"]["resolution_compliance"]
    assert (compliance["difference"], compliance["good"]) == (-16.7, False)  # percentage points
    assert report["changes"]["satisfaction_mean"]["difference"] is None  # nothing to compare with


def _rows(rows, fields=("logged", "resolved", "backlog")):
    return {row["label"]: tuple(row[f] for f in fields) for row in rows}


def test_october_breakdowns(scenario):
    report = kpis.month_report(month_period(answers.OCTOBER))
    breakdowns = report["breakdowns"]
    assert _rows(breakdowns["town"]) == answers.OCTOBER_BY_TOWN
    assert _rows(breakdowns["site"]) == answers.OCTOBER_BY_SITE
    assert {
        row["key"]: (row["logged"], row["resolved"], row["backlog"]) for row in breakdowns["priority"]
    } == (answers.OCTOBER_BY_PRIORITY)
    assert _rows(breakdowns["channel"]) == answers.OCTOBER_BY_CHANNEL
    assert _rows(breakdowns["kind"]) == answers.OCTOBER_BY_KIND
    assert _rows(breakdowns["service"]) == answers.OCTOBER_BY_SERVICE
    assert _rows(breakdowns["category"]) == answers.OCTOBER_BY_CATEGORY
    # The ten services with most tickets: here three, most logged first.
    assert [row["label"] for row in report["top_services"]] == ["Printing", "Network", "Accounts"]


def test_october_sla_compliance_per_priority_site_and_group(scenario):
    sla = kpis.month_report(month_period(answers.OCTOBER))["sla"]
    fields = ("response_met", "response_total", "resolution_met", "resolution_total")
    assert {row["key"]: tuple(row[f] for f in fields) for row in sla["by_priority"]} == (
        answers.OCTOBER_SLA_BY_PRIORITY
    )
    assert _rows(sla["by_site"], fields) == answers.OCTOBER_SLA_BY_SITE
    assert _rows(sla["by_group"], fields) == answers.OCTOBER_SLA_BY_GROUP
    elliotdale = next(row for row in sla["by_site"] if row["label"] == "Elliotdale")
    assert (elliotdale["response_compliance"], elliotdale["resolution_compliance"]) == (0.0, 50.0)


def test_october_technicians(scenario):
    rows = kpis.month_report(month_period(answers.OCTOBER))["technicians"]
    fields = ("resolved", "backlog", "first_contact", "resolution_met", "resolution_measured")
    assert _rows(rows, fields) == answers.OCTOBER_TECHNICIANS
    assert [row["label"] for row in rows] == ["Tech One", "Tech Two"]
    assert rows[1]["resolution_compliance"] == 0.0


def test_oldest_open_major_incidents_and_the_breached_annex(scenario):
    report = kpis.month_report(month_period(answers.OCTOBER), include_annex=True)
    assert scenario.names(row["id"] for row in report["oldest_open"]) == ["T5", "T8"]
    assert [row["age_days"] for row in report["oldest_open"]] == [19.6, 1.4]  # at 1 November 00:00

    (major,) = report["major_incidents"]
    assert scenario.names([major["id"]]) == ["T2"]
    assert (major["linked_tickets"], major["resolution_hours"], major["breached"]) == (1, 5.0, True)

    annex = report["breached"]
    assert scenario.names(row["id"] for row in annex["rows"]) == answers.BREACHED_ANNEX
    assert annex["truncated"] is False
    t2, t3, t5 = annex["rows"]
    assert (t2["response_breached"], t2["resolution_breached"], t2["overdue"]) == (True, True, False)
    assert (t3["response_breached"], t3["resolution_breached"], t3["overdue"]) == (True, False, False)
    assert (t5["response_breached"], t5["resolution_breached"], t5["overdue"]) == (False, False, True)


def test_six_month_trend(scenario):
    trend = kpis.month_report(month_period(answers.OCTOBER))["trend"]
    assert trend["months"] == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert trend["logged"] == answers.TREND_LOGGED
    assert trend["resolved"] == answers.TREND_RESOLVED
    assert trend["backlog"] == answers.TREND_BACKLOG
    assert trend["median_resolution_hours"] == [None, None, None, None, 2.0, 4.0]
    assert trend["resolution_compliance"][-2:] == [100.0, 83.3]


def test_this_month_so_far_is_compared_with_the_same_stretch_of_last_month(scenario, frozen):
    frozen(2026, 11, 3, 9, 0)
    period = month_period(answers.OCTOBER.replace(month=11))
    report = kpis.month_report(period)
    assert report["period"]["so_far"] is True
    assert report["headline"]["logged"] == 0
    assert report["headline"]["backlog"] == 2  # T5 and T8, open now
    # 1 October 00:00 to 3 October 09:00: T1, T2, T3 logged; S2, T1, T2, T3 resolved.
    assert report["previous_period"]["end"].startswith("2026-10-03T09:00")
    assert (report["previous"]["logged"], report["previous"]["resolved"]) == (3, 4)
    # The median of that stretch (7,200, 12,600, 16,200, 18,000 s) is (12,600 + 16,200) / 2 = 4 h.
    assert report["previous"]["median_resolution_hours"] == 4.0
    assert report["trend"]["logged"] == [0, 0, 0, 2, 8, 0]


def test_filters_by_town_site_and_group(scenario):
    october = month_period(answers.OCTOBER)
    elliotdale = kpis.month_report(october, kpis.Scope(town="Elliotdale"))["headline"]
    assert (elliotdale["logged"], elliotdale["resolved"], elliotdale["backlog"]) == (3, 2, 1)
    assert elliotdale["resolution_compliance"] == 50.0
    willowvale = kpis.Scope(site_id=scenario.tickets["T4"].site_id)
    assert kpis.month_report(october, willowvale)["headline"]["reopen_rate"] == 50.0  # T4 of S2, T4
    other_group = kpis.Scope(group_id=scenario.group.pk + 999)
    assert kpis.month_report(october, other_group)["headline"]["logged"] == 0


def test_every_figure_counts_the_tickets_its_list_shows(scenario):
    october = month_period(answers.OCTOBER)
    report = kpis.month_report(october)
    details, headline = report["details"], report["headline"]
    expected = {
        "logged": headline["logged"],
        "resolved": headline["resolved"],
        "closed": headline["closed"],
        "withdrawn": details["withdrawn"],
        "backlog": headline["backlog"],
        "overdue": headline["overdue"],
        "response_stopped": details["response_measured"],
        "response_met": details["response_met"],
        "response_breached": details["response_measured"] - details["response_met"],
        "resolution_stopped": details["resolution_measured"],
        "resolution_met": details["resolution_met"],
        "resolution_breached": details["resolution_measured"] - details["resolution_met"],
        "measured": details["resolution_times_measured"],
        "incidents_measured": details["incidents_measured"],
        "first_contact": details["first_contact"],
        "reopened": details["reopened"],
        "handed_over": 1,
        "rated": details["rated"],
        "satisfied": details["rated_4_5"],
        "major": details["major_incidents"],
    }
    assert set(expected) == set(kpis.FIGURES)
    for figure, count in expected.items():
        assert kpis.tickets_behind(figure, october).count() == count, figure
    assert scenario.names(kpis.tickets_behind("overdue", october).values_list("pk", flat=True)) == ["T5"]


def test_backlog_follows_the_history_of_a_reopened_ticket(scenario, frozen):
    """T4 was resolved on 6 October 10:00 and reopened on 7 October 09:00: not open in between."""
    from datetime import datetime

    from incidents.models import Ticket

    def open_at(*when):
        at = datetime(*when, tzinfo=answers.SAST)
        return Ticket.objects.filter(kpis.open_at_q(at), pk=scenario.pk("T4")).exists()

    assert open_at(2026, 10, 6, 9, 59)
    assert not open_at(2026, 10, 6, 12, 0)
    assert open_at(2026, 10, 7, 10, 0)
    assert not open_at(2026, 10, 7, 12, 1)


def test_cost_per_ticket_from_the_cost_per_technician_hour(scenario):
    from decimal import Decimal

    from reports.models import ReportSettings

    ReportSettings.objects.create(pk=1, cost_per_technician_hour=Decimal("200.00"), technicians=2)
    report = kpis.month_report(month_period(answers.OCTOBER))
    # 2 technicians x 187 business hours x R200 / 6 tickets resolved
    assert report["headline"]["cost_per_ticket"] == round(2 * answers.OCTOBER_WORKING_HOURS * 200 / 6, 2)
    assert report["cost_basis"] == {"configured": True, "cost_per_technician_hour": 200.0, "technicians": 2}


def test_cost_per_ticket_counts_the_technicians_when_not_given(scenario):
    from decimal import Decimal

    from reports.models import ReportSettings

    ReportSettings.objects.create(pk=1, cost_per_technician_hour=Decimal("100"))
    assert kpis.technician_count() == 2  # tech1 and tech2
    report = kpis.month_report(month_period(answers.OCTOBER))
    assert report["headline"]["cost_per_ticket"] == round(2 * answers.OCTOBER_WORKING_HOURS * 100 / 6, 2)


def test_the_report_is_plain_json(scenario):
    import json

    report = kpis.month_report(month_period(answers.OCTOBER), include_annex=True)
    assert json.loads(json.dumps(report)) == report


@pytest.mark.parametrize("force_window", [False, True], ids=["native", "window"])
def test_median_in_sql_on_the_database_in_use(scenario, force_window):
    """PERCENTILE_CONT on PostgreSQL; the ROW_NUMBER window everywhere else (forced here on PostgreSQL
    too, so both ways are checked on it)."""
    from django.db.models import Q

    from slas.models import SlaClock

    # T7 was withdrawn: its clock stopped too, but it is no resolution.
    clocks = SlaClock.objects.filter(kind="resolution", state="stopped").exclude(ticket_id=scenario.pk("T7"))
    buckets = {
        0: Q(ticket__resolved_at__gte=month_period(answers.OCTOBER).start),  # six: even count
        1: Q(ticket__resolved_at__lt=month_period(answers.OCTOBER).start),  # S1 alone
        2: Q(ticket__resolved_at__gte=month_period(answers.OCTOBER).start) & ~Q(ticket_id=scenario.pk("T6")),
        3: Q(pk__in=[]),  # empty
    }
    result = kpis.medians(clocks, "elapsed_seconds", buckets, separate=[2], force_window=force_window)
    assert result == {0: 14_400.0, 1: 7_200.0, 2: 16_200.0, 3: None}


def test_a_ticket_belongs_to_the_month_of_its_south_african_date(frozen, staff_user):
    from datetime import date

    from tests.factories import TicketFactory

    frozen(2026, 10, 31, 23, 30)  # 21:30 UTC: still October in Mbashe
    TicketFactory(requester=staff_user)
    frozen(2026, 11, 1, 0, 30)  # 22:30 UTC on 31 October: November in Mbashe
    TicketFactory(requester=staff_user)
    frozen(2026, 11, 2, 9, 0)
    october = kpis.month_report(month_period(date(2026, 10, 1)))
    november = kpis.month_report(month_period(date(2026, 11, 1)))
    assert (october["headline"]["logged"], november["headline"]["logged"]) == (1, 1)
    assert october["headline"]["backlog"] == 1  # open at midnight


def test_postgresql_jit_is_off_for_the_report_only(scenario):
    """JIT compiling these wide aggregates cost seconds (docs/kpis.md); SET LOCAL keeps it to the report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        kpis.month_report(month_period(answers.OCTOBER))
    sent = [query["sql"] for query in captured.captured_queries]
    assert any("SET LOCAL jit = off" in sql for sql in sent) == (connection.vendor == "postgresql")


def test_backlog_at_an_instant_follows_reopens(frozen, technician_user, staff_user):
    """open_at_q reads the columns first and the history only for reopened tickets they leave open:
    the answer at every instant is the ticket's status then."""
    from datetime import datetime

    from incidents import services
    from incidents.models import Status, Ticket
    from tests.factories import TicketFactory
    from tests.reports.scenario import SAST

    frozen(2026, 10, 1, 9, 0)
    ticket = TicketFactory(requester=staff_user)

    def move(when, to, by, **kwargs):
        frozen(*when)
        fresh = Ticket.objects.get(pk=ticket.pk)
        if to == Status.RESOLVED:
            kwargs |= {"resolution_code": "fixed", "resolution_note": "Done."}
        services.ticket_change_status(ticket=fresh, to=to, by=by, **kwargs)

    move((2026, 10, 1, 10, 0), Status.IN_PROGRESS, technician_user)
    move((2026, 10, 2, 10, 0), Status.RESOLVED, technician_user)
    move((2026, 10, 5, 10, 0), Status.REOPENED, staff_user)
    move((2026, 10, 6, 10, 0), Status.RESOLVED, technician_user)
    move((2026, 10, 8, 10, 0), Status.REOPENED, staff_user)  # open again now, resolved_at cleared

    def open_at(*when):
        return Ticket.objects.filter(kpis.open_at_q(datetime(*when, tzinfo=SAST)), pk=ticket.pk).exists()

    assert not open_at(2026, 10, 1, 8, 0)  # not logged yet
    assert open_at(2026, 10, 1, 12, 0)
    assert not open_at(2026, 10, 3, 9, 0)  # resolved, reopened later
    assert open_at(2026, 10, 5, 12, 0)  # reopened
    assert not open_at(2026, 10, 7, 9, 0)  # resolved again
    assert open_at(2026, 10, 9, 9, 0)  # reopened again

    move((2026, 10, 9, 10, 0), Status.RESOLVED, technician_user)
    move((2026, 10, 12, 10, 0), Status.CLOSED, staff_user)
    assert open_at(2026, 10, 5, 12, 0) and not open_at(2026, 10, 7, 9, 0) and open_at(2026, 10, 9, 9, 0)
    assert not open_at(2026, 10, 10, 9, 0) and not open_at(2026, 10, 13, 9, 0)
