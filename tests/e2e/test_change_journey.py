"""Issue 18's journey in a real browser: a technician raises and submits a normal change, the manager sees
its conflict and approves with a justification, the technician carries it out and records a failed
outcome with a post-implementation review, links an incident as caused by it, and the month's report
counts it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from changes.models import Change
from reports.kpis.changes import change_management
from reports.periods import month_period, this_month
from servicedesk import demo
from sites.models import Site
from tests.factories import ChangeFactory, TicketFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]


@pytest.fixture
def desk(settings):
    settings.DEBUG = True
    demo.demo_data_load()
    settings.DEBUG = False
    willowvale = Site.objects.get(name="Willowvale")
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    # Already scheduled at the same site and time: the new change's conflict.
    ChangeFactory(
        status="scheduled",
        summary="Re-cable the Willowvale server cupboard",
        sites=[willowvale],
        planned_start=start,
        planned_end=start + timedelta(hours=2),
    )
    return {
        "start": start,
        "ticket": TicketFactory(site=willowvale, summary="No network in the Willowvale office"),
    }


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.demo_password())
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_a_normal_change_from_request_to_the_report(page: Page, live_server, desk):
    base, start = live_server.url, desk["start"]

    # The technician raises the change and submits it.
    sign_in(page, base, "technician")
    page.goto(f"{base}/changes/new/")
    page.get_by_label("Type").select_option("normal")
    page.get_by_label("Summary").fill("Replace the Willowvale access switch")
    page.get_by_label("Reason").fill("The switch drops links under load.")
    page.get_by_label("Willowvale", exact=True).check()
    page.get_by_label("Likelihood").select_option("medium")
    page.get_by_label("Impact").select_option("medium")  # medium risk: one approval
    page.get_by_label("Implementation plan").fill("Swap the switch; restore the saved configuration.")
    page.get_by_label("Backout plan").fill("Put the old switch back.")
    page.get_by_label("Test plan").fill("Every PC gets an address and opens the intranet.")
    page.get_by_label("Planned start").fill(f"{start:%Y-%m-%dT%H:%M}")
    page.get_by_label("Planned end").fill(f"{start + timedelta(hours=2):%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Replace the Willowvale access switch")
    change = Change.objects.get(summary="Replace the Willowvale access switch")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".status")).to_have_text("Submitted")
    sign_out(page)

    # The manager assesses it, sees the conflict and approves with a justification.
    sign_in(page, base, "manager")
    page.goto(f"{base}/changes/{change.pk}/")
    page.get_by_role("button", name="Assess").click()
    expect(page.locator("#conflicts")).to_be_visible()
    expect(page.locator(".trouble")).to_contain_text("same site")
    page.get_by_label("Why it may go ahead despite the conflicts").fill("The re-cabling is in another room.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".status")).to_have_text("Approved")
    sign_out(page)

    # The technician schedules, starts, and records a failed outcome with a review.
    sign_in(page, base, "technician")
    page.goto(f"{base}/changes/{change.pk}/")
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.get_by_role("button", name="Start work").click()
    page.get_by_label("Outcome").select_option("failed")
    page.get_by_label(re.compile("Post-implementation review")).fill(
        "The new switch's uplink module was faulty."
    )
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(".status")).to_have_text("Implemented")

    # An incident is linked as caused by the change.
    ticket = desk["ticket"]
    page.get_by_label("Incident reference").fill(ticket.reference)
    page.get_by_role("button", name=re.compile("Link as caused by")).click()
    expect(page.locator("#incidents ~ ul")).to_contain_text(ticket.reference)

    # The month's report counts it.
    section = change_management(month_period(this_month()))
    assert [row["reference"] for row in section["failed"]] == [change.reference]
    assert [row["incidents"] for row in section["caused_incidents"]] == [1]
    assert change.approvals.get().justification == "The re-cabling is in another room."
