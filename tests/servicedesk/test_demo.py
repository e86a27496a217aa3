"""Demo data: one user per role and a few months of tickets, idempotent, never with DEBUG off."""

import io
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from common import access as roles
from incidents.models import Comment, Notification, SatisfactionRating, Status, Ticket
from incidents.service_levels import ticket_clocks_refresh
from reports import kpis, periods
from servicedesk import demo, demo_history
from sites.models import Site
from slas.models import OperationalClock, SlaClock, SlaEvent
from slas.services import sla_sweep

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


@pytest.fixture
def demo_history_loaded(settings):
    settings.DEBUG = True
    demo.demo_data_load()
    return demo_history.demo_history_load(tickets=300, seed=11, now=DEMO_NOW)


def test_history_covers_four_whole_months_and_this_one_across_the_nine_sites(demo_history_loaded):
    assert demo_history_loaded.created
    assert Ticket.objects.count() == 300
    months = {
        timezone.localtime(at).strftime("%Y-%m") for at in Ticket.objects.values_list("created_at", flat=True)
    }
    assert months == {"2025-11", "2025-12", "2026-01", "2026-02", "2026-03"}
    assert not Ticket.objects.filter(created_at__gt=DEMO_NOW).exists()
    assert Ticket.objects.values("site").distinct().count() == Site.objects.count() == 9
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    done = statuses[Status.RESOLVED] + statuses[Status.CLOSED]
    assert done > 0.8 * 300  # most are finished ...
    assert 10 <= 300 - done <= 60  # ... with a realistic backlog
    assert statuses[Status.PENDING] and Ticket.objects.filter(reopen_count__gt=0).exists()
    assert Ticket.objects.filter(requester__username="staff").exists()
    assert Ticket.objects.filter(assignee__username="technician").exists()
    assert SatisfactionRating.objects.exists() and Comment.objects.exists()
    assert SlaEvent.objects.filter(kind=SlaEvent.Kind.BREACH).exists()
    major = Ticket.objects.get(is_major=True)
    assert major.children.exists()
    assert not Notification.objects.exists()  # nobody is mailed about the past


def test_history_is_loaded_once(demo_history_loaded, settings):
    again = demo_history.demo_history_load(tickets=300, seed=11, now=DEMO_NOW)
    call_command("demo_data", stdout=io.StringIO())

    assert not again.created
    assert Ticket.objects.count() == 300


def test_sla_clocks_are_what_the_engine_derives(demo_history_loaded):
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


def test_last_months_kpis_say_something_and_agree_with_the_api(demo_history_loaded, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: DEMO_NOW)
    manager = User.objects.get(username="manager")
    report = kpis.month_report(periods.month_period(date(2026, 2, 1)))
    headline = report["headline"]

    assert headline["logged"] > 30 and headline["resolved"] > 30
    for key in ("response_compliance", "resolution_compliance", "mean_resolution_hours", "satisfaction_mean"):
        assert headline[key] is not None, key
    assert len(report["breakdowns"]["site"]) >= 5
    assert {row["kind"] for row in report["operational"]} == {"OLA"}  # the seeded groups' OLAs

    client = APIClient()
    client.force_authenticate(manager)
    body = client.get(reverse("report-kpis-list"), {"month": "2026-02"}).json()
    assert body["headline"] == headline


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
