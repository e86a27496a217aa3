"""Outages in a real browser: the desk marks a major incident as an outage of Willowvale, staff at that site
see the banner on every page, and the manager's dashboard shows Willowvale's availability below 100 %."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from common import access as roles
from incidents import services as ticket_services
from outages.models import Outage
from reports import services as reports_services
from sites.models import Site
from tests.factories import TEST_PASSWORD, TicketFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def latest_weekday_morning():
    now = timezone.localtime()
    day = now.date() if now.hour >= 10 else now.date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(
        hours=9
    )


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_major_incident_becomes_an_outage_staff_see_it_and_availability_counts_it(page: Page, live_server):
    willowvale = Site.objects.get(name="Willowvale")
    clerk = UserFactory(username="clerk", role=roles.STAFF, site=willowvale)
    technician = UserFactory(username="tech", role=roles.TECHNICIAN)
    UserFactory(username="boss", role=roles.MANAGER)
    # Logged at 09:00 on the latest weekday before now: the outage then runs through business hours.
    first = TicketFactory(requester=clerk, site=willowvale, summary="No network in the whole office")
    second = TicketFactory(requester=UserFactory(role=roles.STAFF), site=willowvale, summary="Cannot print")
    ticket_services.major_incident_link(parent=first, children=[second], by=technician)
    type(first).objects.filter(pk=first.pk).update(created_at=latest_weekday_morning())
    base = live_server.url

    sign_in(page, base, "tech")
    page.goto(f"{base}/tickets/{first.pk}/")
    page.get_by_role("button", name="This is an outage of Willowvale").click()
    expect(page.get_by_text(re.compile(r"OUT-\d{6} recorded"))).to_be_visible()
    outage = Outage.objects.get()
    assert outage.major_incident_id == first.pk and outage.ended_at is None

    sign_in(page, base, "clerk")
    banner = page.locator(".notices")
    expect(banner).to_contain_text("Willowvale unavailable since")
    expect(banner).to_contain_text("you do not need to log a ticket")
    page.get_by_role("link", name="Outages").first.click()
    expect(page.get_by_role("heading", name="Down now")).to_be_visible()
    expect(page.locator("#current ~ .table-wrap").first).to_contain_text(outage.reference)

    # Beat counts the month so far every REPORTS_LIVE_SECONDS / 2 (no request counts); this run has no
    # beat, so do its count here.
    reports_services.month_so_far_recount()
    sign_in(page, base, "boss")
    page.goto(f"{base}/dashboard/")
    row = page.locator("table", has_text="Availability per site").locator("tr", has_text="Willowvale")
    expect(row).to_be_visible()
    cells = row.locator("td")
    assert cells.nth(2).inner_text() != "100.0%", cells.all_inner_texts()
