"""Issue 19's journey on a phone (390 px): a staff member types "printer not printing" on the log form,
the form suggests the article without a page load, they open it, say it solved it, and no ticket is
logged while the deflection is counted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from catalogue.models import Service
from common import access as roles
from incidents.models import Ticket
from knowledge import services
from knowledge.models import Deflection
from sites.models import Site
from tests.e2e.test_ticket_journeys import PHONE, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]


@pytest.fixture
def printer_article(db):
    author = UserFactory(username="sipho", role=roles.TECHNICIAN)
    reviewer = UserFactory(username="thandeka", role=roles.MANAGER)
    printing = Service.objects.get(name="Printing, copying and scanning")
    article = services.article_create(
        by=author,
        title="Printer not printing: clear the print queue",
        body="1. Open **Printers and scanners**.\n2. Choose the printer, then **Open print queue**.\n"
        "3. Choose **Cancel all documents** and print again.",
        services=[printing],
    )
    services.article_change_status(article=article, by=author, to="in_review")
    return services.article_change_status(article=article, by=reviewer, to="published")


def test_staff_on_a_phone_find_the_answer_and_log_nothing(browser: Browser, live_server, printer_article):
    staff = UserFactory(
        username="nomsa", role=roles.STAFF, site=Site.objects.get(name="Dutywa Main Building")
    )
    context = browser.new_context(viewport=PHONE, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, staff)
        page.goto(f"{live_server.url}/tickets/new/")
        page.locator("#id_summary").press_sequentially("printer not printing", delay=20)
        suggestion = page.locator("#kb-suggestions").get_by_role("link", name=printer_article.title)
        expect(suggestion).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        suggestion.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(printer_article.title)
        page.get_by_role("button", name="Yes, this solved it: no ticket needed").click()
        expect(page.get_by_text("no ticket was logged")).to_be_visible()
    finally:
        context.close()
    assert not Ticket.objects.exists()
    deflection = Deflection.objects.get()
    assert (deflection.user, deflection.article_id, deflection.typed) == (
        staff,
        printer_article.pk,
        "printer not printing",
    )
