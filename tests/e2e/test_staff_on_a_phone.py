"""Staff on a phone (390 px) and at a desk (1366 px): choices are tap-sized rows, the kind question is
checked by the browser before sending, a QR label opens the form about its device, and "My tickets" is
a compact list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from common import access as roles
from incidents.models import Ticket
from sites.models import Site
from tests.e2e.test_ticket_journeys import PHONE, sign_in
from tests.factories import AssetFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

DESKTOP = {"width": 1366, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}

# Every radio button and checkbox of the page: its box, its label's box, and the row's height.
CHOICES_JS = """() => Array.from(document.querySelectorAll('input[type=radio], input[type=checkbox]'))
  .filter(i => i.offsetParent !== null)
  .map(i => {
    const label = i.closest('label') || document.querySelector(`label[for="${i.id}"]`);
    const box = i.getBoundingClientRect(), row = label ? label.getBoundingClientRect() : null;
    return {name: i.name, value: i.value, width: box.width, wraps: !!i.closest('label'),
            row_height: row ? row.height : 0, row_width: row ? row.width : 0,
            inside: row ? box.left >= row.left - 1 && box.right <= row.right + 1 : false};
  })"""


@pytest.fixture
def staff(db):
    return UserFactory(
        username="nomsa",
        first_name="Nomsa",
        last_name="Mbeki",
        role=roles.STAFF,
        site=Site.objects.get(name="Dutywa Main Building"),
    )


@pytest.fixture
def open_as(browser: Browser, live_server):
    """open_as(user, viewport) -> a signed-in page; its context is closed after the test."""
    contexts = []

    def open_page(user, viewport=PHONE) -> Page:
        contexts.append(browser.new_context(viewport=viewport, has_touch=viewport is PHONE))
        page = contexts[-1].new_page()
        sign_in(page, live_server.url, user)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_choices_are_tap_sized_rows_and_the_whole_row_is_the_target(open_as, live_server, staff, width):
    page = open_as(staff, WIDTHS[width])
    page.goto(f"{live_server.url}/tickets/new/")

    choices = page.evaluate(CHOICES_JS)

    assert {c["name"] for c in choices} == {"kind", "how_bad"}
    for choice in choices:
        assert choice["wraps"], choice  # the label wraps its input: one target
        assert choice["width"] <= 24, choice  # the circle stays a circle, not a 100 % wide input
        assert choice["inside"], choice
        assert choice["row_height"] >= 44, choice  # WCAG 2.5.5 target size
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    # A tap on the far end of the row's text chooses it.
    row = page.locator("label.choice", has_text="I cannot work")
    row.scroll_into_view_if_needed()
    box = row.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] / 2)
    expect(page.get_by_label("I cannot work")).to_be_checked()


def test_the_kind_is_required_and_checked_in_the_browser_before_sending(open_as, live_server, staff):
    page = open_as(staff)
    page.goto(f"{live_server.url}/tickets/new/")
    page.get_by_label("Which service?").select_option(label="Printing, copying and scanning")
    page.get_by_label("In a few words").fill("Printer offline")
    page.get_by_label("I cannot work").check()

    page.get_by_role("button", name="Send the ticket").click()

    # The browser stops the form at the unanswered question; nothing reaches the server.
    expect(page).to_have_url(f"{live_server.url}/tickets/new/")
    assert page.locator("input[name=kind]").first.evaluate("radio => radio.validity.valueMissing")
    assert page.evaluate("document.activeElement.name") == "kind"
    assert not Ticket.objects.exists()
    page.get_by_label("Something is broken").check()
    page.get_by_role("button", name="Send the ticket").click()
    expect(page.get_by_text("is logged")).to_be_visible()


def test_a_fault_must_say_how_bad_in_the_browser_but_a_request_is_not_asked(open_as, live_server, staff):
    page = open_as(staff)
    page.goto(f"{live_server.url}/tickets/new/")
    page.get_by_label("Something is broken").check()
    page.get_by_label("In a few words").fill("Cannot sign in")
    page.get_by_role("button", name="Send the ticket").click()
    assert page.locator("input[name=how_bad]").first.evaluate("radio => radio.validity.valueMissing")

    page.get_by_label("I need something").check()
    expect(page.locator("#how-bad")).to_be_hidden()


def test_the_summary_suggests_a_service_without_ruling_out_the_other_kind(open_as, live_server, staff):
    page = open_as(staff)
    page.goto(f"{live_server.url}/tickets/new/")
    chosen = page.get_by_label("Which service?").locator("option:checked")

    page.get_by_label("Something is broken").check()
    page.get_by_label("In a few words").fill("The MPLS link is down, the whole site is offline")
    expect(chosen).to_have_text("Site network link")  # takes incidents only

    # Changing one's mind stays possible: the suggestion follows the kind, not the other way round.
    page.get_by_label("I need something").check()
    expect(page.get_by_label("I need something")).to_be_checked()
    expect(chosen).not_to_have_text("Site network link")
    assert "request" in chosen.get_attribute("data-kinds")
    page.get_by_label("In a few words").fill("A new password for my account login")
    expect(chosen).to_have_text("User accounts and passwords")


def test_a_qr_label_opens_the_form_about_its_device_with_its_service(open_as, live_server, staff):
    dutywa = Site.objects.get(name="Dutywa Main Building")
    AssetFactory(
        asset_tag="MLM-PRN-0099",
        site=dutywa,
        building=dutywa.building_set.get(name="Main building"),
        type="printer",
        make="HP",
        model="LaserJet M404",
        location="2nd floor",
    )
    page = open_as(staff)

    page.goto(f"{live_server.url}/a/MLM-PRN-0099")

    expect(page.locator("#asset-about")).to_contain_text("HP LaserJet M404, Dutywa Main Building, 2nd floor")
    expect(page.get_by_label("Which service?").locator("option:checked")).to_have_text(
        "Printing, copying and scanning"
    )
    expect(page.get_by_label("Something is broken")).to_be_checked()
    # The summary's words do not override a service the label chose.
    page.get_by_label("In a few words").fill("not printing, the screen says call for service")
    page.get_by_label("It slows me down, but I can still work").check()
    page.get_by_role("button", name="Send the ticket").click()

    expect(page.get_by_text("is logged")).to_be_visible()
    ticket = Ticket.objects.select_related("asset", "service", "site").get()
    assert (ticket.asset.asset_tag, ticket.site, ticket.service.name) == (
        "MLM-PRN-0099",
        dutywa,
        "Printing, copying and scanning",
    )


def test_my_tickets_on_a_phone_is_a_compact_list_with_filter_and_search(open_as, live_server, staff):
    for n in range(25):
        TicketFactory(requester=staff, summary=f"Printer {n} on the 2nd floor is not printing")
    TicketFactory(requester=staff, summary="Screen flickers")
    page = open_as(staff)

    page.goto(f"{live_server.url}/tickets/")

    expect(page.locator("ul.ticket-rows > li")).to_have_count(25)
    rows = page.locator("ul.ticket-rows > li").evaluate_all("rows => rows.map(r => r.offsetHeight)")
    per_screen = PHONE["height"] / (sum(rows) / len(rows))
    assert per_screen >= 7, f"{per_screen:.1f} tickets a screen"  # 2.5 before issue 14
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Search my tickets").fill("flickers")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("ul.ticket-rows > li")).to_have_count(1)
    expect(page.locator("ul.ticket-rows")).to_contain_text("Screen flickers")
    page.get_by_role("link", name="Closed").click()
    expect(page.get_by_text("None of your closed tickets matches “flickers”")).to_be_visible()
