"""The ticket journeys in a real browser: staff logs an incident with a file, a technician finds it in the
queue, takes, answers and resolves it, and staff confirms and rates it; a service request with its
service's extra questions; the technician's part on a phone's width."""

import base64
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from common import access as roles
from sites.models import Site
from tests.factories import (
    TEST_PASSWORD,
    RequestFieldFactory,
    ServiceCategoryFactory,
    ServiceFactory,
    SupportGroupFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desk():
    """A printing service supported by a group with one technician, and a staff member at Dutywa."""
    group = SupportGroupFactory(name="Desktop and Printing (e2e)")
    category = ServiceCategoryFactory(name="Printing and scanning (e2e)")
    service = ServiceFactory(
        name="Printers and copiers", category=category, support_group=group, keywords="toner, jam"
    )
    ServiceFactory(name="Desk telephones", category=ServiceCategoryFactory(name="Telephones (e2e)"))
    technician = UserFactory(username="sipho", first_name="Sipho", last_name="Dlamini", role=roles.TECHNICIAN)
    group.members.add(technician)
    staff = UserFactory(
        username="nomsa",
        first_name="Nomsa",
        last_name="Mbeki",
        role=roles.STAFF,
        site=Site.objects.get(name="Dutywa Main Building"),
    )
    return {"group": group, "service": service, "technician": technician, "staff": staff}


def sign_in(page: Page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def new_page(browser: Browser):
    """new_page(**context_options): a page in its own browser context (its own sign-in), closed after the
    test so that no request is still open when the live server's database is reset."""
    contexts = []

    def open_page(**options) -> Page:
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_printer_incident(page: Page, base: str) -> str:
    """Staff logs an incident with a photo; returns the ticket's reference."""
    page.get_by_role("link", name="Log a ticket").first.click()
    expect(page.get_by_role("heading", name="Log a ticket")).to_be_visible()
    page.get_by_label("Something is broken").check()
    # Search as you type narrows the services; one match is chosen.
    page.get_by_placeholder("Type to find a service").fill("copiers")
    expect(page.get_by_label("Which service?")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("Which service?").locator("option:checked")).to_have_text("Printers and copiers")
    expect(page.get_by_label("Where?").locator("option:checked")).to_have_text("Dutywa Main Building")
    page.get_by_label("In a few words").fill("Printer in the finance office jams")
    page.get_by_label("Several people or a whole team cannot work").check()
    page.get_by_text("More details (optional)").click()
    page.get_by_label("Anything else we should know?").fill(
        "It jams on the second page of every job since Monday."
    )
    page.locator("input[name=files]").set_input_files(
        files=[{"name": "jam-light.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Send the ticket").click()

    expect(page.get_by_text(re.compile(r"INC-\d{6} is logged"))).to_be_visible()
    expect(page.get_by_role("link", name="jam-light.png")).to_be_visible()
    return page.locator("h1 small").inner_text()


def test_incident_logged_taken_resolved_confirmed_and_rated(new_page, live_server, desk):
    base = live_server.url

    # (a) Staff logs an incident with an attachment and finds it in My tickets.
    staff = new_page()
    sign_in(staff, base, desk["staff"])
    expect(staff).to_have_url(f"{base}/tickets/")
    reference = log_printer_incident(staff, base)
    staff.get_by_role("link", name="My tickets").first.click()
    row = staff.locator("ul.ticket-rows > li").filter(has_text=reference)
    expect(row).to_contain_text("Printer in the finance office jams")
    expect(row).to_contain_text("New")

    # (b) The technician, on a phone, finds it unassigned in their group's queue, takes it, replies and
    # resolves it with a code and a note.
    tech = new_page(viewport=PHONE)
    sign_in(tech, base, desk["technician"])
    expect(tech).to_have_url(f"{base}/queue/")
    expect(tech.get_by_role("link", name="Unassigned in my groups")).to_have_attribute("aria-current", "page")
    assert tech.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tech.get_by_role("link", name=reference).click()
    tech.get_by_role("button", name="Take it").click()
    expect(tech.get_by_text(f"You took {reference}.")).to_be_visible()
    tech.get_by_label("Message").fill("On my way with a new roller.")
    tech.get_by_role("button", name="Send reply to the requester").click()
    expect(tech.get_by_text("On my way with a new roller.")).to_be_visible()
    tech.get_by_text("Resolve…").click()
    tech.get_by_label("How was it resolved?").select_option(label="Fixed")
    tech.get_by_label("What was done").fill("Replaced the worn pick-up roller; printed 20 pages.")
    tech.get_by_role("button", name="Resolve", exact=True).click()
    expect(tech.get_by_text(f"{reference} is now resolved.")).to_be_visible()

    # (c) Staff sees the answer, confirms the fix and rates it 5 with a comment.
    staff.get_by_role("link", name=reference).click()
    expect(staff.get_by_text("On my way with a new roller.")).to_be_visible()
    expect(staff.get_by_text("Replaced the worn pick-up roller")).to_be_visible()
    staff.get_by_role("button", name="Yes, it is fixed: close the ticket").click()
    expect(staff.get_by_text(f"{reference} is now closed.")).to_be_visible()
    staff.get_by_label("5 · Excellent").check()
    staff.get_by_label("Anything to add?").fill("Quick and friendly, thank you.")
    staff.get_by_role("button", name="Send rating").click()
    expect(staff.get_by_text("You rated it 5/5: “Quick and friendly, thank you.”")).to_be_visible()


def test_service_request_asks_its_services_questions(new_page, live_server, desk):
    group = desk["group"]
    accounts = ServiceFactory(
        name="New user account",
        category=ServiceCategoryFactory(name="Accounts and access (e2e)"),
        support_group=group,
        offers_incidents=False,
        offers_requests=True,
    )
    RequestFieldFactory(service=accounts, key="start_date", label="Start date", field_type="date")
    RequestFieldFactory(service=accounts, key="department", label="Department", field_type="text")
    page = new_page()
    sign_in(page, live_server.url, desk["staff"])

    page.get_by_role("link", name="Log a ticket").first.click()
    page.get_by_label("Which service?").select_option(label="New user account")
    # The service takes only requests: the kind follows, and its questions appear.
    expect(page.get_by_label("I need something")).to_be_checked()
    expect(page.get_by_label("Something is broken")).to_be_disabled()
    # A request is never asked how bad it is: its service's default priority applies.
    expect(page.get_by_text("How bad is it?")).to_be_hidden()
    page.get_by_label("Start date").fill("2025-07-01")
    page.get_by_role("textbox", name="Department", exact=True).fill("Finance")
    page.get_by_label("In a few words").fill("Account for the new creditors clerk")
    page.get_by_role("button", name="Send the ticket").click()

    expect(page.get_by_text(re.compile(r"REQ-\d{6} is logged"))).to_be_visible()
    expect(page.locator("dl.answers")).to_contain_text("Start date")
    expect(page.locator("dl.answers")).to_contain_text("2025-07-01")
    expect(page.locator("dl.answers")).to_contain_text("Finance")


def test_an_error_keeps_what_was_typed(new_page, live_server, desk):
    page = new_page()
    sign_in(page, live_server.url, desk["staff"])
    page.goto(f"{live_server.url}/tickets/new/")
    page.get_by_label("Which service?").select_option(label="Printers and copiers")
    page.get_by_label("In a few words").fill("Printer offline")
    page.get_by_label("I cannot work").check()
    page.get_by_text("More details (optional)").click()
    page.get_by_label("Asset tag (optional)").fill("NO-SUCH-TAG")
    page.get_by_label("Anything else we should know?").fill("Typed with care.")
    page.get_by_role("button", name="Send the ticket").click()

    # The folded details open where the error is; everything typed is kept.
    expect(page.get_by_text("No asset has the tag NO-SUCH-TAG")).to_be_visible()
    expect(page.get_by_label("Anything else we should know?")).to_have_value("Typed with care.")
    expect(page.get_by_label("In a few words")).to_have_value("Printer offline")
    expect(page.get_by_label("Something is broken")).to_be_checked()
    expect(page.get_by_label("I cannot work")).to_be_checked()


def test_a_service_chosen_before_the_script_ran_still_sets_the_kind(new_page, live_server, desk):
    """On a slow link the page can be used before its deferred script runs: the kind must still follow
    the service (a CI run once chose the service first and saw the kind unchecked)."""
    ServiceFactory(
        name="Shared folder access",
        category=ServiceCategoryFactory(name="Accounts and access (slow e2e)"),
        support_group=desk["group"],
        offers_incidents=False,
        offers_requests=True,
    )
    page = new_page()
    sign_in(page, live_server.url, desk["staff"])
    held = []
    page.route("**/js/tickets.js", lambda route: held.append(route))  # held until released below
    page.goto(live_server.url + "/tickets/new/", wait_until="commit")
    page.get_by_label("Which service?").select_option(label="Shared folder access")
    assert held, "the script was held back while the service was chosen"
    expect(page.get_by_label("I need something")).not_to_be_checked()
    held[0].continue_()
    expect(page.get_by_label("I need something")).to_be_checked()
    expect(page.get_by_label("Something is broken")).to_be_disabled()


# --- the ticket page's rarely used forms: fetched when their panel opens, a page of their own without script


def test_the_details_panel_fetches_its_form_when_opened(new_page, live_server, desk):
    from incidents.models import Ticket
    from tests.factories import TicketFactory

    ticket = TicketFactory(requester=desk["staff"], service=desk["service"])
    page = new_page()
    sign_in(page, live_server.url, desk["technician"])
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    details = page.locator("dl.details")
    expect(details).to_contain_text(ticket.get_priority_display())
    expect(page.locator("select[name=urgency]")).to_have_count(0)  # not built with the page

    page.locator("summary", has_text="Change impact, urgency, service, site or asset").click()
    page.get_by_label("Can you still work?").select_option(
        label="High: work has stopped and there is no way around it"
    )
    page.get_by_role("button", name="Save details").click()

    expect(page.get_by_text("Details saved.")).to_be_visible()
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.urgency == "high" and after.priority < ticket.priority  # more urgent: a higher priority
    expect(details).to_contain_text(after.get_priority_display())


def test_the_major_incident_panel_fetches_its_form_when_opened(new_page, live_server, desk):
    from tests.factories import TicketFactory

    ticket, other = (TicketFactory(requester=desk["staff"], service=desk["service"]) for _ in range(2))
    page = new_page()
    sign_in(page, live_server.url, desk["technician"])
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")

    page.locator("summary", has_text="Make this a major incident").click()
    page.get_by_label("Tickets to link under this one").fill(other.reference)
    page.get_by_role("button", name="Make it major").click()

    expect(page.get_by_text("This is a major incident now; 1 ticket linked.")).to_be_visible()
    expect(page.get_by_role("link", name=other.reference)).to_be_visible()


def test_without_script_the_panel_links_to_the_forms_own_page(new_page, live_server, desk):
    from incidents.models import Ticket
    from tests.factories import TicketFactory

    ticket = TicketFactory(requester=desk["staff"], service=desk["service"])
    page = new_page(java_script_enabled=False)
    sign_in(page, live_server.url, desk["technician"])
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")

    page.locator("summary", has_text="Change impact, urgency, service, site or asset").click()
    page.get_by_role("link", name="Open the form to change impact, urgency, service, site or asset").click()
    expect(page).to_have_url(f"{live_server.url}/tickets/{ticket.pk}/details/form/")
    page.get_by_label("How many people are affected?").select_option(
        label="High: a whole site, department or service for the public is affected"
    )
    page.get_by_label("Asset tag").fill("NO-SUCH-TAG")
    page.get_by_role("button", name="Save details").click()

    # A refused change comes back on the form's page with what was typed.
    expect(page.get_by_text("No asset has the tag NO-SUCH-TAG")).to_be_visible()
    expect(page.get_by_label("Asset tag")).to_have_value("NO-SUCH-TAG")
    page.get_by_label("Asset tag").fill("")
    page.get_by_role("button", name="Save details").click()

    expect(page).to_have_url(f"{live_server.url}/tickets/{ticket.pk}/")
    expect(page.get_by_text("Details saved.")).to_be_visible()
    assert Ticket.objects.get(pk=ticket.pk).impact == "high"
