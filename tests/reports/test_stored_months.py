"""The figures kept for the dashboard and the KPI API (reports.stored_months): requests only read them;
an ended month is recounted when a change to one of its tickets marks it stale, the month so far by beat;
the monthly report build never reads them (issue 22)."""

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services as ticket_services
from reports import kpis, services, stored_months, tasks
from reports.kpis import month as month_module
from reports.models import StaleMonth, StoredMonthFigures, StoredReport
from reports.periods import month_period
from tests.factories import TicketFactory, UserFactory
from tests.reports import scenario as answers
from tests.reports.stored import counted
from tests.reports.test_dashboard import DASHBOARD_SERVED, _busy_month

pytestmark = pytest.mark.django_db


def _october_in_the_trend(client) -> float:
    """October's rating response rate as the dashboard's trend of this month (November) shows it."""
    trend = counted(client, reverse("dashboard")).context["report"]["trend"]
    return trend["satisfaction_response_rate"][trend["months"].index("2026-10")]


def _late_rating(scenario) -> None:
    # T6 was resolved in October; its requester rates it in November: October goes from 3 of 6 rated
    # (50.0 %) to 4 of 6 (66.7 %).
    ticket_services.ticket_rate(ticket=scenario.tickets["T6"], by=scenario.staff, score=5)


@pytest.fixture
def counting(monkeypatch):
    """How many times a report was counted (kpis.month._month_report, the one counting path), the real
    function still doing the work."""
    calls = []
    real = month_module._month_report

    def spy(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(month_module, "_month_report", spy)
    return calls


def test_ended_months_are_stored_and_this_month_is_not(scenario, manager_user, signed_in):
    counted(signed_in(manager_user), reverse("dashboard"))
    stored = dict(StoredMonthFigures.objects.values_list("month", "figures"))
    # The five ended months of the trend; November (so far) and the stretch of October it is compared
    # with are always counted with the month so far.
    assert sorted(stored) == [date(2026, month, 1) for month in range(6, 11)]
    assert stored[answers.OCTOBER]["headline"] == answers.OCTOBER_HEADLINE
    assert set(StoredMonthFigures.objects.values_list("scope", flat=True)) == {kpis.ALL.key}


def test_a_change_to_a_ticket_of_an_ended_month_marks_it_stale_and_the_task_recounts_it(
    scenario, manager_user, signed_in, frozen, django_capture_on_commit_callbacks, counting
):
    client = signed_in(manager_user)
    assert _october_in_the_trend(client) == 50.0
    tasks.recount_stale()  # the scenario's own marks (September's tickets changed in October)
    assert not StaleMonth.objects.exists()
    frozen(2026, 11, 3, 9, 5)
    with django_capture_on_commit_callbacks() as queued:
        _late_rating(scenario)
    # October is marked in the rating's transaction, and one task is queued for after its commit.
    assert list(StaleMonth.objects.values_list("month", flat=True)) == [answers.OCTOBER]
    assert len(queued) == 1

    # Until the task has run, the page serves October as counted (no request counts)...
    counting.clear()
    frozen(2026, 11, 3, 9, 50)
    assert _october_in_the_trend(client) == 50.0
    assert counting == []
    # ...and the task recounts October's figures and every stored report whose trend shows it.
    tasks.recount_stale([answers.OCTOBER.isoformat()])
    assert not StaleMonth.objects.exists()
    row = StoredMonthFigures.objects.get(month=answers.OCTOBER, scope=kpis.ALL.key)
    assert row.figures["headline"]["satisfaction_response_rate"] == 66.7
    assert _october_in_the_trend(client) == 66.7


def test_an_ended_month_is_never_recounted_on_a_timer(scenario, manager_user, signed_in, frozen, counting):
    client = signed_in(manager_user)
    response = counted(client, reverse("dashboard"), {"month": "2026-10"})
    counted_at = response.context["report"]["generated_at"]
    tasks.recount_stale()
    counting.clear()
    frozen(2027, 3, 3, 9, 0)  # four months later, nothing in October changed
    tasks.recount_stale()
    client = signed_in(manager_user)
    assert (
        counted_at == client.get(reverse("dashboard"), {"month": "2026-10"}).context["report"]["generated_at"]
    )
    assert counting == []


def test_a_change_during_a_recount_keeps_the_month_stale(scenario, frozen):
    tasks.recount_stale()  # the scenario's own marks (September's tickets changed in October)
    stored_months.months_mark([answers.OCTOBER])
    month, mark = stored_months.stale_claim()
    assert month == answers.OCTOBER
    assert stored_months.stale_claim() is None  # claimed: a second worker leaves it alone
    _late_rating(scenario)  # marks October again while it is being counted
    assert stored_months.stale_release(month, mark) is False
    assert StaleMonth.objects.get(month=answers.OCTOBER).counting_until is None  # free for the next
    assert tasks.recount_stale() >= 0
    assert not StaleMonth.objects.exists()


def test_a_lost_task_is_done_by_beats_sweep(
    scenario, manager_user, signed_in, frozen, django_capture_on_commit_callbacks
):
    client = signed_in(manager_user)
    assert _october_in_the_trend(client) == 50.0
    with django_capture_on_commit_callbacks(execute=False):
        _late_rating(scenario)  # the task queued after commit never reaches a worker (Redis restarted)
    assert StaleMonth.objects.filter(month=answers.OCTOBER).exists()
    schedule = {entry["task"]: entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["reports.recount_stale"]["schedule"] <= 300
    tasks.recount_stale()  # what beat runs
    assert _october_in_the_trend(client) == 66.7
    assert not StaleMonth.objects.exists()


def test_a_change_to_a_ticket_of_this_month_marks_nothing(manager_user, frozen, technician_user):
    ticket = TicketFactory()
    with CaptureQueriesContext(connection) as captured:
        ticket_services.ticket_assign(ticket=ticket, by=technician_user, assignee=technician_user)
    assert not StaleMonth.objects.exists()
    assert not [q for q in captured if "reports_stalemonth" in q["sql"]]


def test_a_ticket_still_open_marks_every_ended_month_since_it_was_logged(frozen, technician_user):
    frozen(2026, 9, 15, 9, 0)
    ticket = TicketFactory()
    frozen(2026, 11, 24, 9, 0)
    ticket_services.ticket_assign(ticket=ticket, by=technician_user, assignee=technician_user)
    # It counts in September's and October's backlog (by its current group, site and priority).
    assert sorted(StaleMonth.objects.values_list("month", flat=True)) == [date(2026, 9, 1), date(2026, 10, 1)]


def test_forgetting_a_month_has_it_counted_again(scenario, manager_user, signed_in, frozen):
    client = signed_in(manager_user)
    assert _october_in_the_trend(client) == 50.0
    with_no_task = stored_months.forget([answers.OCTOBER])
    # October's figures, and November's stored report (its trend shows October).
    assert with_no_task == 2
    _late_rating(scenario)
    assert _october_in_the_trend(client) == 66.7


def test_each_scope_keeps_its_own_figures(scenario, manager_user, signed_in):
    client = signed_in(manager_user)
    everywhere = counted(client, reverse("dashboard"), {"month": "2026-10"}).context["report"]
    elliotdale = counted(client, reverse("dashboard"), {"month": "2026-10", "town": "Elliotdale"})
    assert everywhere["headline"]["logged"] == 8
    assert elliotdale.context["report"]["headline"]["logged"] == 3
    # Asked again, each comes from its own stored row.
    again = counted(client, reverse("dashboard"), {"month": "2026-10", "town": "Elliotdale"})
    assert again.context["report"]["headline"]["logged"] == 3
    assert StoredMonthFigures.objects.filter(month=answers.OCTOBER).count() == 2


def test_the_report_build_never_reads_the_stored_figures(
    scenario, manager_user, signed_in, quick_pdf, django_capture_on_commit_callbacks
):
    client = signed_in(manager_user)
    assert counted(client, reverse("dashboard"), {"month": "2026-10"}).status_code == 200
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
    report = counted(signed_in(manager_user), reverse("dashboard")).context["report"]
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
    report = counted(signed_in(manager_user), reverse("dashboard")).context["report"]
    fresh = kpis.month_report(month_period(date(2026, 11, 1)))
    assert report["headline"]["logged"] == 50
    assert report["details"]["resolution_measured"] > 0
    for key in ("headline", "details", "previous", "changes", "trend", "breakdowns", "sla", "technicians"):
        assert report[key] == fresh[key], key


def test_an_admin_can_drop_stored_months_to_have_them_counted_again(scenario, manager_user, signed_in):
    counted(signed_in(manager_user), reverse("dashboard"))
    admin = signed_in(UserFactory(username="root", is_superuser=True, is_staff=True))
    listed = admin.get(reverse("admin:reports_storedmonthfigures_changelist"))
    assert listed.status_code == 200
    assert admin.get(reverse("admin:reports_storedmonthfigures_add")).status_code == 403
    row = StoredMonthFigures.objects.get(month=answers.OCTOBER)
    response = admin.post(reverse("admin:reports_storedmonthfigures_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not StoredMonthFigures.objects.filter(month=answers.OCTOBER).exists()


# --- the whole report: only read by requests (StoredReport) ---------------------------------------------


def _logged_this_month(client, **params) -> int:
    return counted(client, reverse("dashboard"), params).context["report"]["headline"]["logged"]


def test_nothing_stored_yet_says_being_counted_and_queues_the_count(
    scenario, manager_user, signed_in, django_capture_on_commit_callbacks, counting
):
    """A fresh install (or a scope nobody asked for): the request counts nothing, says so and asks."""
    with django_capture_on_commit_callbacks() as queued:
        response = signed_in(manager_user).get(reverse("dashboard"), {"month": "2026-10"})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "being counted for the first time" in response.content.decode()
    assert [callback.__closure__ is not None for callback in queued] == [True]
    assert counting == []
    row = StoredReport.objects.get(month=answers.OCTOBER, scope=kpis.ALL.key)
    assert row.report is None and row.counted_at is None
    answer = signed_in(manager_user).get(reverse("report-kpis-list"), {"month": "2026-10"})
    assert answer.status_code == 202
    assert answer["Retry-After"] == "60"
    assert answer.json()["status"] == "counting"
    assert counting == []
    # The task (or beat's sweep, if it was lost) counts it; the next request reads it.
    tasks.recount_stale()
    assert len(counting) == 1
    page = signed_in(manager_user).get(reverse("dashboard"), {"month": "2026-10"})
    assert page.context["report"]["headline"] == answers.OCTOBER_HEADLINE
    assert "Counted 3 Nov 2026 09:00" in page.content.decode()


def test_requests_only_read_the_month_so_far_and_beat_recounts_it(
    scenario, manager_user, signed_in, frozen, counting
):
    client = signed_in(manager_user)
    counted_then = _logged_this_month(client)  # at 09:00:00
    frozen(2026, 11, 3, 9, 20)
    TicketFactory()
    counting.clear()
    # However old, the stored month so far is served as beat last counted it, with its age...
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard"))
    assert response.context["report"]["headline"]["logged"] == counted_then
    shown = response.content.decode()
    assert "Counted 3 Nov 2026 09:00 (20\xa0minutes ago)" in shown, shown[shown.find("Counted") - 20 :][:200]
    assert len(captured) == DASHBOARD_SERVED
    assert counting == []
    # ...and beat's recount shows at once.
    frozen(2026, 11, 3, 9, 21)
    tasks.count_month_so_far()
    with CaptureQueriesContext(connection) as captured:
        assert _logged_this_month(client) == counted_then + 1
    assert len(captured) == DASHBOARD_SERVED
    row = StoredReport.objects.get(month=date(2026, 11, 1), scope=kpis.ALL.key)
    assert row.so_far is True
    assert row.counted_at == frozen(2026, 11, 3, 9, 21)


def test_beat_recounts_every_scope_asked_for(scenario, manager_user, signed_in, frozen):
    client = signed_in(manager_user)
    everywhere = _logged_this_month(client)
    in_town = _logged_this_month(client, town="Elliotdale")
    frozen(2026, 11, 3, 9, 1)
    TicketFactory(site=scenario.tickets["T1"].site)
    frozen(2026, 11, 3, 9, 2)
    assert tasks.count_month_so_far() == 2
    assert _logged_this_month(client) == everywhere + 1
    assert _logged_this_month(client, town="Elliotdale") == in_town + (
        scenario.tickets["T1"].site.town == "Elliotdale"
    )


def test_a_report_counted_while_the_month_ran_is_not_served_once_it_has_ended(
    scenario, manager_user, signed_in, frozen
):
    frozen(2026, 11, 30, 23, 59, 50)
    client = signed_in(manager_user)
    before_the_end = counted(client, reverse("dashboard")).context["report"]
    assert before_the_end["period"]["so_far"] is True
    TicketFactory()  # logged at 23:59:50, inside November
    frozen(2026, 12, 1, 0, 0, 30)
    client = signed_in(manager_user)
    waiting = client.get(reverse("dashboard"), {"month": "2026-11"})
    assert waiting.context["report"] is None  # November so far is not November
    response = counted(client, reverse("dashboard"), {"month": "2026-11"})
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
    page = counted(client, reverse("dashboard"), {"month": "2026-10"}).context["report"]
    api = counted(client, "/api/reports/kpis/", {"month": "2026-10"}).json()
    assert api["headline"] == page["headline"]
    assert api["generated_at"] == page["generated_at"]
