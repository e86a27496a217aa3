"""Demo data: one user per role and a few months of tickets, idempotent, never with DEBUG off."""

import io
import re
import time
from collections import Counter
from dataclasses import asdict
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from common import access as roles
from common.models import Notification
from incidents.models import OPEN_STATUSES, PendingReason, SatisfactionRating, Status, Ticket
from incidents.service_levels import ticket_clocks_refresh
from reports import kpis, periods
from servicedesk import demo, demo_history
from sites.models import Site
from slas.business_time import business_between
from slas.calendars import calendar_spec
from slas.models import OperationalClock, SlaClock, SlaEvent
from slas.services import sla_sweep
from tests.reports.stored import counted

pytestmark = pytest.mark.django_db


def test_creates_one_user_per_role_with_the_demo_password(settings):
    settings.DEBUG = True

    call_command("demo_data", tickets=0)

    for username, role in [
        ("staff", roles.STAFF),
        ("technician", roles.TECHNICIAN),
        ("manager", roles.MANAGER),
        ("admin", roles.ADMIN),
    ]:
        user = User.objects.get(username=username)
        assert roles.role_of(user) == role
        assert user.check_password(demo.demo_password())
        assert user.site.name == "Dutywa Main Building"
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="staff").is_staff


def test_second_run_changes_nothing(settings):
    settings.DEBUG = True
    call_command("demo_data", tickets=0)
    staff = User.objects.get(username="staff")
    staff.set_password("my-own-password-1")
    staff.save()

    call_command("demo_data", tickets=0)

    assert User.objects.filter(username__in=["staff", "technician", "manager", "admin"]).count() == 4
    staff.refresh_from_db()
    assert staff.check_password("my-own-password-1")


def test_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_data", tickets=0)

    assert not User.objects.filter(username="staff").exists()


# --- the ticket history ---------------------------------------------------------------------------------

# A Wednesday morning in the middle of a month: four whole months before it and this month so far.
DEMO_NOW = datetime(2026, 3, 18, 10, 30, tzinfo=ZoneInfo("Africa/Johannesburg"))
DEMO_TICKETS = 300
# Words that say something is broken: a service request never says them (it asks for something new).
FAULT_WORDS = re.compile(
    r"not working|cannot|can't|error|down\b|broken|keeps|stopped|dead|freez|crash|offline|no dial tone|"
    r"jams|slow|virus|stolen|locked|forgot|full",
    re.IGNORECASE,
)


@pytest.fixture
def demo_history_loaded(settings):
    settings.DEBUG = True
    demo.demo_data_load()
    started, cpu = time.perf_counter(), time.process_time()
    result = demo_history.demo_history_load(tickets=DEMO_TICKETS, seed=11, now=DEMO_NOW)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"demo history: {DEMO_TICKETS} tickets in {seconds:.1f} s ({cpu:.1f} s of this process's CPU)")
    backlog = Counter(Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("status", flat=True))
    print(f"backlog {sum(backlog.values())}: {dict(backlog)}")
    return SimpleNamespace(**asdict(result), seconds=seconds, cpu_seconds=cpu)


def business_days(start: datetime, end: datetime) -> float:
    ticket = Ticket.objects.filter(sla__isnull=False).select_related("sla").first()
    spec = calendar_spec(ticket.sla.calendar_id)
    return business_between(spec, start, end) / timedelta(minutes=510)


def check_history_covers_four_whole_months_and_this_one_across_the_sites(demo_history_loaded):
    assert demo_history_loaded.created
    assert Ticket.objects.count() == DEMO_TICKETS
    months = {
        timezone.localtime(at).strftime("%Y-%m") for at in Ticket.objects.values_list("created_at", flat=True)
    }
    assert months == {"2025-11", "2025-12", "2026-01", "2026-02", "2026-03"}
    assert not Ticket.objects.filter(created_at__gt=DEMO_NOW).exists()
    # Every site with computer users logs tickets; the Pound (no users, no connection) does not.
    assert set(Ticket.objects.values_list("site__name", flat=True)) == set(
        Site.objects.filter(computer_users__gt=0).values_list("name", flat=True)
    )
    assert User.objects.filter(groups__name=roles.STAFF).count() == 157  # Table 1's computer users
    assert User.objects.filter(groups__name=roles.TECHNICIAN).count() == 4
    assert Ticket.objects.filter(requester__username="staff").exists()
    assert Ticket.objects.filter(assignee__username="technician").exists()


def check_the_demo_loads_in_reasonable_time(demo_history_loaded):
    # Each ticket lives through the real services (about 60 queries a ticket): a tenth of a second of
    # Python per ticket. The wall time depends on the database's and the host's load; the CPU does not.
    assert demo_history_loaded.cpu_seconds < 0.3 * DEMO_TICKETS


def check_priorities_fit_the_texts_and_p1s_are_rare_and_fixed_in_hours():
    tickets = Ticket.objects.all()
    p1 = tickets.filter(priority=1)
    assert 0 < p1.count() <= 0.04 * DEMO_TICKETS
    for ticket in p1:
        # A P1 is a site or a counter stopped: a link, a whole office, a stolen device, the cashiers.
        assert ticket.service.criticality in ("critical", "high"), ticket
        if ticket.resolved_at:
            assert business_days(ticket.created_at, ticket.resolved_at) < 1, ticket
    assert not tickets.filter(priority=1, summary__icontains="password").exists()
    # Most P3 and P4 are fixed within a day or two (business days).
    for priority in (3, 4):
        resolved = list(tickets.filter(priority=priority, resolved_at__isnull=False))
        quick = [t for t in resolved if business_days(t.created_at, t.resolved_at) <= 2.5]
        assert len(quick) >= 0.75 * len(resolved), priority


def check_no_service_request_reads_like_a_fault():
    requests = Ticket.objects.filter(kind="request")
    assert requests.count() > 0.15 * DEMO_TICKETS
    assert [t.summary for t in requests if FAULT_WORDS.search(t.summary)] == []
    assert Ticket.objects.filter(kind="incident", summary__iregex=FAULT_WORDS.pattern).count() > 0.5 * (
        Ticket.objects.filter(kind="incident").count()
    )


def check_the_backlog_is_a_few_dozen_measured_in_days():
    backlog = Ticket.objects.filter(status__in=OPEN_STATUSES)
    # About 6 tickets a working day (600 in four months, `make run`) leave 15 to 40 open: a few dozen.
    # This loads half as many a day, so half the backlog.
    assert 0.02 * DEMO_TICKETS <= backlog.count() <= 0.1 * DEMO_TICKETS
    ages = sorted(business_days(t.created_at, DEMO_NOW) for t in backlog)
    assert ages[len(ages) // 2] <= 5  # the median open ticket is days old ...
    assert ages[-1] <= 20  # ... and none is months old
    # Nothing sits untouched for more than a business day or two; no P1 is open for more than a day.
    for ticket in backlog.filter(status=Status.NEW):
        assert business_days(ticket.created_at, DEMO_NOW) <= 2, ticket
    for ticket in backlog.filter(priority=1):
        assert DEMO_NOW - ticket.created_at < timedelta(days=1), ticket
    statuses = Counter(backlog.values_list("status", flat=True))
    assert statuses[Status.IN_PROGRESS] and statuses[Status.PENDING]


def check_honest_failures_are_there_with_their_words():
    # Some breaches, not many.
    breached = Ticket.objects.filter(sla_clocks__kind="resolution", sla_clocks__breached_at__isnull=False)
    assert 0 < breached.count() < 0.15 * DEMO_TICKETS
    # A reopen, with the requester's reason in its history.
    reopened = Ticket.objects.filter(reopen_count__gt=0).first()
    reason = reopened.events.get(field="status", new_value=Status.REOPENED)
    assert reason.actor_id == reopened.requester_id and reason.note
    # Waiting on the requester: the technician's question is in the conversation, and while it waits the
    # last public word is the technician's (the question, or a reminder).
    asked = Ticket.objects.filter(
        events__field="status", events__new_value=Status.PENDING, events__note__contains="?"
    ).distinct()
    assert asked.exists()
    for ticket in asked:
        assert ticket.comments.filter(internal=False, body__contains="?").exclude(author=ticket.requester)
    for ticket in Ticket.objects.filter(status=Status.PENDING, pending_reason=PendingReason.USER):
        assert ticket.comments.filter(internal=False).last().author_id != ticket.requester_id, ticket


def check_first_contact_resolutions_read_like_one():
    fcr = Ticket.objects.filter(first_contact=True)
    assert fcr.count() > 0.05 * DEMO_TICKETS
    for ticket in fcr:
        assert ticket.channel in ("phone", "walk_in")
        assert ticket.resolved_at - ticket.created_at < timedelta(minutes=30) or ticket.reopen_count
        first_reply = ticket.comments.filter(internal=False).first()
        assert first_reply.author_id == ticket.logged_by_id == ticket.assignee_id
        assert "phone" in first_reply.body or "while" in first_reply.body or "You" in first_reply.body


def check_ratings_are_mostly_good_with_a_few_poor_ones_in_words():
    scores = Counter(SatisfactionRating.objects.values_list("score", flat=True))
    rated = sum(scores.values())
    assert rated > 0.25 * DEMO_TICKETS
    assert (scores[4] + scores[5]) >= 0.75 * rated
    poor = SatisfactionRating.objects.filter(score__lte=2)
    assert poor.exists() and all(rating.comment for rating in poor)


def check_breaching_soon_is_not_yet_breached_and_nothing_is_months_overdue():
    from incidents.selectors import technician_queue

    technician = User.objects.get(username="technician")
    breaching = list(technician_queue(technician, "breaching", now=DEMO_NOW))
    for ticket in breaching:
        due = min(at for at in (ticket.response_due_at, ticket.resolution_due_at) if at)
        if due > DEMO_NOW:
            assert not ticket.sla_clocks.filter(breached_at__isnull=False).exists(), ticket
        else:  # overdue (a tab of its own once the queue splits them): an honest few days, not a month
            assert business_days(due, DEMO_NOW) <= 5, ticket


def check_last_months_major_incident_is_the_willowvale_link():
    major = Ticket.objects.get(is_major=True)
    assert major.site.name == "Willowvale" and major.priority == 1
    assert timezone.localtime(major.created_at).strftime("%Y-%m") == "2026-02"
    assert business_days(major.created_at, major.resolved_at) < 1
    assert major.children.count() == 3
    assert all(child.status in (Status.RESOLVED, Status.CLOSED) for child in major.children.all())
    assert major.events.filter(kind="supplier").exists()


def check_mails_were_written_but_never_delivered(mailoutbox):
    mails = Notification.objects.all()
    assert mails.count() > DEMO_TICKETS  # logged, replies, resolved, breaches: what the product writes
    assert not mails.filter(sent_at__isnull=True).exists()  # the unsent-mail sweep finds nothing
    assert set(mails.values_list("attempts", flat=True)) == {0}
    assert set(mails.values_list("last_error", flat=True)) == {demo_history.UNDELIVERED}
    assert mailoutbox == []
    first = Ticket.objects.order_by("pk").first()
    assert mails.filter(ticket=first, created_at=first.created_at).exists()  # written at its instant


def check_history_is_loaded_once():
    again = demo_history.demo_history_load(tickets=DEMO_TICKETS, seed=11, now=DEMO_NOW)
    call_command("demo_data", stdout=io.StringIO())

    assert not again.created
    assert Ticket.objects.count() == DEMO_TICKETS


def check_sla_clocks_are_what_the_engine_derives():
    """Every stored clock and due time is what incidents.service_levels derives from the history, and the
    beat sweep at the history's "now" finds no warning or breach left to record."""
    columns = ("ticket_id", "kind", "state", "elapsed_seconds", "due_at", "breached_at", "stopped_at")

    held = (
        "ticket_id",
        "agreement_id",
        "kind",
        "held_from",
        "held_until",
        "state",
        "elapsed_seconds",
        "due_at",
    )

    def snapshot():
        clocks = set(SlaClock.objects.values_list(*columns))
        due = set(Ticket.objects.values_list("pk", "response_due_at", "resolution_due_at"))
        operational = set(OperationalClock.objects.values_list(*held))
        return clocks, due, SlaEvent.objects.count(), operational

    before = snapshot()
    assert before[3], "the groups' OLA clocks are there too"
    for ticket in Ticket.objects.order_by("pk"):
        ticket_clocks_refresh(ticket)
    sla_sweep(now=DEMO_NOW)

    assert snapshot() == before


def check_last_months_kpis_say_something_and_agree_with_the_api(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: DEMO_NOW)
    manager = User.objects.get(username="manager")
    report = kpis.month_report(periods.month_period(date(2026, 2, 1)))
    headline = report["headline"]

    assert headline["logged"] > 30 and headline["resolved"] > 30
    for key in ("response_compliance", "resolution_compliance", "mean_resolution_hours", "satisfaction_mean"):
        assert headline[key] is not None, key
    assert len(report["breakdowns"]["site"]) >= 5
    assert {row["kind"] for row in report["operational"]} >= {"OLA"}

    client = APIClient()
    client.force_authenticate(manager)
    body = counted(client, reverse("report-kpis-list"), {"month": "2026-02"}).json()
    assert body["headline"] == headline


def check_a_recurring_fault_became_a_known_error():
    """Willowvale's printer queue: proposed by the recurrence search, accepted, a root cause and a
    workaround recorded, and the fourth incident resolved with the workaround (problems/)."""
    from problems.models import Problem, ProblemStatus

    problem = Problem.objects.get(summary="Willowvale printer queue stalls after a power dip")
    assert problem.status == ProblemStatus.KNOWN_ERROR and problem.root_cause_category == "power"
    tickets = Ticket.objects.filter(problem_link__problem=problem)
    assert tickets.count() == 4
    assert tickets.filter(resolution_code="workaround").count() == 1
    assert {t.site.name for t in tickets} == {"Willowvale"}


def test_the_demo_month_holds_together(demo_history_loaded, mailoutbox, monkeypatch):
    """One load of the demo history (it takes a while), every check of a believable month over it."""
    check_history_covers_four_whole_months_and_this_one_across_the_sites(demo_history_loaded)
    check_the_demo_loads_in_reasonable_time(demo_history_loaded)
    check_priorities_fit_the_texts_and_p1s_are_rare_and_fixed_in_hours()
    check_no_service_request_reads_like_a_fault()
    check_the_backlog_is_a_few_dozen_measured_in_days()
    check_honest_failures_are_there_with_their_words()
    check_first_contact_resolutions_read_like_one()
    check_ratings_are_mostly_good_with_a_few_poor_ones_in_words()
    check_breaching_soon_is_not_yet_breached_and_nothing_is_months_overdue()
    check_last_months_major_incident_is_the_willowvale_link()
    check_a_recurring_fault_became_a_known_error()
    check_mails_were_written_but_never_delivered(mailoutbox)
    check_history_is_loaded_once()
    check_sla_clocks_are_what_the_engine_derives()
    check_last_months_kpis_say_something_and_agree_with_the_api(monkeypatch)


def test_the_demo_does_not_import_the_benchmark():
    import ast
    from pathlib import Path

    for module in Path(demo_history.__file__).parent.glob("demo*.py"):
        tree = ast.parse(module.read_text())
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name == "bench" or name.startswith("bench.") for name in imported), module


def test_make_run_says_what_to_install_when_the_pdf_cannot_be_made(monkeypatch, settings):
    from reports import documents
    from servicedesk.management.commands.rundesk import Command

    out = io.StringIO()
    monkeypatch.setattr(documents, "pdf_unavailable", lambda: documents.PANGO_HELP)
    Command(stdout=out)._banner("127.0.0.1", "8000")
    assert "libpango-1.0-0" in out.getvalue()

    out = io.StringIO()
    monkeypatch.setattr(documents, "pdf_unavailable", lambda: "")
    Command(stdout=out)._banner("127.0.0.1", "8000")
    assert "PDF" not in out.getvalue()
