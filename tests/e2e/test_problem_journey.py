"""Problem management in a real browser: a technician accepts a proposed recurring fault and records its
root cause and workaround; a second technician applies the workaround to a new incident in one step; the
ICT manager sees the open problem on the dashboard and in the month's report."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from common import access as roles
from incidents.models import ResolutionCode, Status, Ticket
from problems import services as problems
from problems.models import Problem, ProblemStatus
from reports import kpis
from reports import services as reports_services
from reports.periods import month_period
from sites.models import Site
from tests.factories import TEST_PASSWORD, ServiceFactory, SupportGroupFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_recurring_fault_becomes_a_known_error_and_its_workaround_is_applied(page: Page, live_server):
    base = live_server.url
    group = SupportGroupFactory(name="Desktop journey group")
    service = ServiceFactory(name="Printing (journey)", support_group=group)
    site = Site.objects.get(name="Willowvale")
    staff = UserFactory(username="journey.staff", role=roles.STAFF)
    first_tech = UserFactory(username="journey.sipho", role=roles.TECHNICIAN, first_name="Sipho")
    second_tech = UserFactory(username="journey.ayanda", role=roles.TECHNICIAN, first_name="Ayanda")
    UserFactory(username="journey.manager", role=roles.MANAGER)
    group.members.add(first_tech, second_tech)
    fault = "Printer queue stalled after the power dip"
    recurring = [TicketFactory(requester=staff, service=service, site=site, summary=fault) for _ in range(3)]
    problems.recurrences_refresh()

    # The first technician accepts the proposal from the problem list.
    sign_in(page, base, "journey.sipho")
    page.get_by_role("link", name="Problems").first.click()
    expect(page.get_by_role("heading", name="Recurring incidents: candidate problems")).to_be_visible()
    for ticket in recurring:
        expect(page.get_by_role("link", name=ticket.reference)).to_be_visible()
    page.get_by_role("button", name="Log a problem with these 3 incidents").click()
    expect(page).to_have_url(re.compile(r"/problems/\d+/$"))
    expect(page.get_by_text("3 incidents (3 open)")).to_be_visible()
    reference = re.search(r"PRB-\d{6}", page.get_by_role("heading", level=1).inner_text()).group(0)

    # ... and records the root cause and the workaround: the problem becomes a known error.
    page.get_by_role("link", name="Change", exact=True).click()
    page.get_by_label("Root cause", exact=True).fill("The print server's UPS battery no longer holds.")
    page.get_by_label("Root cause category").select_option("power")
    page.get_by_label("Workaround", exact=True).fill(
        "Restart the print spooler on the Willowvale print server."
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/problems/\d+/$"))
    expect(page.get_by_text("known error", exact=True)).to_be_visible()
    assert Problem.objects.get().status == ProblemStatus.KNOWN_ERROR

    # A new incident of the same fault; the second technician applies the workaround in one step.
    new = TicketFactory(requester=staff, service=service, site=site, summary=fault)
    sign_in(page, base, "journey.ayanda")
    page.goto(f"{base}/tickets/{new.pk}/")
    expect(page.get_by_text(f"Known error {reference}")).to_be_visible()
    page.get_by_role("button", name="Apply the workaround and resolve").click()
    expect(page.get_by_text(f"{new.reference} resolved with the workaround of {reference}.")).to_be_visible()
    new.refresh_from_db()
    assert new.status == Status.RESOLVED and new.resolution_code == ResolutionCode.WORKAROUND
    assert Ticket.objects.filter(problem_link__problem__isnull=False).count() == 4

    # The ICT manager sees the open problem on the dashboard, follows it, and the month's report has it.
    # Beat counts the month so far every REPORTS_LIVE_SECONDS / 2 (no request counts); this run has no
    # beat, so do its count here.
    reports_services.month_so_far_recount()
    sign_in(page, base, "journey.manager")
    page.goto(f"{base}/dashboard/")
    page.get_by_role("link", name=re.compile("Open problems")).click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    from django.utils import timezone

    section = kpis.month_report(month_period(timezone.localdate().replace(day=1)))["problems"]
    assert section["opened"] == 1 and section["linked_incidents"] == 4
    assert section["top_faults"][0]["reference"] == reference
