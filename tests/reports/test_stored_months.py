"""The ended months' figures kept for the dashboard and the KPI API (reports.stored_months): used while
fresh, counted again after their TTL or when forgotten, never read by the monthly report build."""

from datetime import date

import pytest
from django.urls import reverse

from incidents import services as ticket_services
from reports import kpis, services, stored_months, tasks
from reports.models import StoredMonthFigures, StoredReport
from reports.periods import month_period
from tests.factories import TicketFactory, UserFactory
from tests.reports import scenario as answers
from tests.reports.test_dashboard import DASHBOARD_SERVED, _busy_month

pytestmark = pytest.mark.django_db


def _october_in_the_trend(client) -> float:
    """October's rating response rate as the dashboard's trend of this month (November) shows it."""
    trend = client.get(reverse("dashboard")).context["report"]["trend"]
    return trend["satisfaction_response_rate"][trend["months"].index("2026-10")]


def _late_rating(scenario) -> None:
    # T6 was resolved in October; its requester rates it in November: October goes from 3 of 6 rated
    # (50.0 %) to 4 of 6 (66.7 %).
    ticket_services.ticket_rate(ticket=scenario.tickets["T6"], by=scenario.staff, score=5)


def test_ended_months_are_stored_and_this_month_is_not(scenario, manager_user, signed_in):
    signed_in(manager_user).get(reverse("dashboard"))
    stored = dict(StoredMonthFigures.objects.values_list("month", "figures"))
    # The five ended months of the trend; November (so far) and the stretch of October it is compared
    # with are always counted live.
    assert sorted(stored) == [date(2026, month, 1) for month in range(6, 11)]
    assert stored[answers.OCTOBER]["headline"] == answers.OCTOBER_HEADLINE
    assert set(StoredMonthFigures.objects.values_list("scope", flat=True)) == {kpis.ALL.key}


def test_a_stored_month_is_counted_again_after_its_ttl(scenario, manager_user, signed_in, frozen, settings):
    settings.REPORTS_STORED_MONTH_SECONDS = 600
    client = signed_in(manager_user)
    assert _october_in_the_trend(client) == 50.0
    frozen(2026, 11, 3, 9, 5)
    _late_rating(scenario)

    # Within the TTL the trend shows October as counted five minutes ago (the documented trade-off)...
    frozen(2026, 11, 3, 9, 9)
    assert _october_in_the_trend(client) == 50.0
    # ...and once it has run out, as it is now; the row is counted again and kept from then.
    frozen(2026, 11, 3, 9, 11)
    assert _october_in_the_trend(client) == 66.7
    row = StoredMonthFigures.objects.get(month=answers.OCTOBER, scope=kpis.ALL.key)
    assert row.figures["headline"]["satisfaction_response_rate"] == 66.7
    assert row.counted_at == frozen(2026, 11, 3, 9, 11)


def test_forgetting_a_month_counts_it_again_at_once(scenario, manager_user, signed_in, frozen):
    client = signed_in(manager_user)
    assert _october_in_the_trend(client) == 50.0
    _late_rating(scenario)
    assert _october_in_the_trend(client) == 50.0
    # October's figures, and November's stored report (its trend shows October).
    assert stored_months.forget([answers.OCTOBER]) == 2
    assert _october_in_the_trend(client) == 66.7


def test_each_scope_keeps_its_own_figures(scenario, manager_user, signed_in):
    client = signed_in(manager_user)
    everywhere = client.get(reverse("dashboard"), {"month": "2026-10"}).context["report"]
    elliotdale = client.get(reverse("dashboard"), {"month": "2026-10", "town": "Elliotdale"})
    assert everywhere["headline"]["logged"] == 8
    assert elliotdale.context["report"]["headline"]["logged"] == 3
    # Asked again, each comes from its own stored row.
    again = client.get(reverse("dashboard"), {"month": "2026-10", "town": "Elliotdale"})
    assert again.context["report"]["headline"]["logged"] == 3
    assert StoredMonthFigures.objects.filter(month=answers.OCTOBER).count() == 2


def test_the_report_build_never_reads_the_stored_figures(
    scenario, manager_user, signed_in, quick_pdf, django_capture_on_commit_callbacks
):
    client = signed_in(manager_user)
    assert client.get(reverse("dashboard"), {"month": "2026-10"}).status_code == 200
    _late_rating(scenario)
    # Make the stored figures plainly wrong: a build that read them would table nonsense.
    StoredMonthFigures.objects.filter(month=answers.OCTOBER).update(
        figures={"headline": {"logged": 999}, "details": {}}
    )

    with django_capture_on_commit_callbacks(execute=False):
        run = services.report_run_request(month=answers.OCTOBER, by=manager_user)
    assert tasks.build_report(run.pk) is True
    run.refresh_from_db()
    assert run.snapshot["headline"]["logged"] == 8
    assert run.snapshot["headline"]["satisfaction_response_rate"] == 66.7  # counted fresh
    assert run.snapshot["trend"]["logged"][-1] == 8
    assert kpis.month_report(month_period(answers.OCTOBER))["headline"]["logged"] == 8


def test_this_month_counted_with_the_breakdowns_is_the_one_row_count(scenario, manager_user, signed_in):
    """The dashboard's month so far sums its counts from the breakdowns' cells (kpis._figures); the
    same figures counted the other way (kpis.period_figures, one aggregate row) agree."""
    report = signed_in(manager_user).get(reverse("dashboard")).context["report"]
    period = month_period(date(2026, 11, 1))
    figures, _ = kpis.period_figures([period], kpis.ALL)
    assert report["headline"] == figures[0]["headline"]
    assert report["details"] == figures[0]["details"]
    assert report["breakdowns"] == kpis.breakdowns(period)
    fresh = kpis.month_report(period)
    for key in ("headline", "details", "previous", "changes", "trend", "breakdowns", "sla", "technicians"):
        assert report[key] == fresh[key], key


def test_a_busy_month_so_far_is_the_same_counted_either_way(manager_user, signed_in, frozen):
    """50 tickets this month, resolved, rated and timed: the dashboard's live path (counts from the
    cells, SLA compliance from the SLA tables' cells) gives what the one-row queries give."""
    _busy_month(50, frozen)
    report = signed_in(manager_user).get(reverse("dashboard")).context["report"]
    fresh = kpis.month_report(month_period(date(2026, 11, 1)))
    assert report["headline"]["logged"] == 50
    assert report["details"]["resolution_measured"] > 0
    for key in ("headline", "details", "previous", "changes", "trend", "breakdowns", "sla", "technicians"):
        assert report[key] == fresh[key], key


def test_an_admin_can_drop_stored_months_to_have_them_counted_again(scenario, manager_user, signed_in):
    signed_in(manager_user).get(reverse("dashboard"))
    admin = signed_in(UserFactory(username="root", is_superuser=True, is_staff=True))
    listed = admin.get(reverse("admin:reports_storedmonthfigures_changelist"))
    assert listed.status_code == 200
    assert admin.get(reverse("admin:reports_storedmonthfigures_add")).status_code == 403
    row = StoredMonthFigures.objects.get(month=answers.OCTOBER)
    response = admin.post(reverse("admin:reports_storedmonthfigures_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not StoredMonthFigures.objects.filter(month=answers.OCTOBER).exists()


# --- the whole report served while fresh (StoredReport) -------------------------------------------------


def _logged_this_month(client, **params) -> int:
    return client.get(reverse("dashboard"), params).context["report"]["headline"]["logged"]


def test_the_month_so_far_is_served_for_the_live_ttl_then_counted_again(
    scenario, manager_user, signed_in, frozen, settings
):
    settings.REPORTS_LIVE_SECONDS = 60
    client = signed_in(manager_user)
    counted = _logged_this_month(client)  # at 09:00:00
    frozen(2026, 11, 3, 9, 0, 20)
    TicketFactory()
    # Within the minute the dashboard serves the month as counted (one row, no count)...
    frozen(2026, 11, 3, 9, 0, 50)
    assert _logged_this_month(client) == counted
    # ...then counts it again and keeps the new report.
    frozen(2026, 11, 3, 9, 1, 1)
    assert _logged_this_month(client) == counted + 1
    row = StoredReport.objects.get(month=date(2026, 11, 1), scope=kpis.ALL.key)
    assert row.so_far is True
    assert row.report["headline"]["logged"] == counted + 1
    assert row.counted_at == frozen(2026, 11, 3, 9, 1, 1)


def test_beat_recounts_the_month_so_far_so_the_page_shows_it_at_once(
    scenario, manager_user, signed_in, frozen, django_assert_max_num_queries
):
    client = signed_in(manager_user)
    counted = _logged_this_month(client)
    frozen(2026, 11, 3, 9, 0, 5)
    TicketFactory()
    frozen(2026, 11, 3, 9, 0, 10)
    tasks.count_month_so_far()  # what beat runs every REPORTS_LIVE_SECONDS / 2
    # served: see DASHBOARD_SERVED (the stored report, pick-lists, live self-help and problem counts)
    with django_assert_max_num_queries(DASHBOARD_SERVED):
        assert _logged_this_month(client) == counted + 1


def test_a_report_counted_while_the_month_ran_is_not_served_once_it_has_ended(
    scenario, manager_user, signed_in, frozen
):
    frozen(2026, 11, 30, 23, 59, 50)
    client = signed_in(manager_user)
    before_the_end = client.get(reverse("dashboard")).context["report"]
    assert before_the_end["period"]["so_far"] is True
    TicketFactory()  # logged at 23:59:50, inside November
    frozen(2026, 12, 1, 0, 0, 30)
    client = signed_in(manager_user)
    response = client.get(reverse("dashboard"), {"month": "2026-11"})
    assert response.status_code == 200, response
    november = response.context["report"]
    assert november["period"]["so_far"] is False
    assert november["headline"]["logged"] == before_the_end["headline"]["logged"] + 1
    row = StoredReport.objects.get(month=date(2026, 11, 1), scope=kpis.ALL.key)
    assert row.so_far is False


def test_a_filtered_view_keeps_its_own_report(scenario, manager_user, signed_in):
    client = signed_in(manager_user)
    assert _logged_this_month(client, month="2026-10") == 8
    assert _logged_this_month(client, month="2026-10", town="Elliotdale") == 3
    wrong = StoredReport.objects.get(scope=kpis.ALL.key).report
    wrong["headline"]["logged"] = 999
    StoredReport.objects.filter(scope=kpis.ALL.key).update(report=wrong)
    # Each view is served from its own row (the whole municipality's made plainly wrong to show it).
    assert _logged_this_month(client, month="2026-10", town="Elliotdale") == 3
    assert _logged_this_month(client, month="2026-10") == 999
    assert StoredReport.objects.filter(month=answers.OCTOBER).count() == 2


def test_the_kpi_api_serves_the_same_stored_report(scenario, manager_user, signed_in):
    client = signed_in(manager_user)
    page = client.get(reverse("dashboard"), {"month": "2026-10"}).context["report"]
    api = client.get("/api/reports/kpis/", {"month": "2026-10"}).json()
    assert api["headline"] == page["headline"]
    assert api["generated_at"] == page["generated_at"]
