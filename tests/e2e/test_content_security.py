"""The Content-Security-Policy in a real browser (issue 16): script planted in text a page prints raw does
not run, inline event handlers do not fire, and Django admin's own scripts (change forms, the related
object popup and its response, filter_horizontal, autocomplete) still work under the policy, with no
violation reported."""

from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

PLANTED = (
    "<script>document.title = 'ran'; window.planted = 1;</script>"
    "<img src='/static/img/favicon.svg' onload=\"document.title = 'ran'; window.planted = 2\">"
    "<a id='x' href=\"javascript:document.title='ran'\">x</a>"
)


def violations_of(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return found


@pytest.mark.urls("tests.e2e.csp_urls")
def test_script_planted_in_text_printed_raw_does_not_run(page: Page, live_server):
    violations = violations_of(page)

    answer = page.goto(f"{live_server.url}/raw-echo/?text={quote(PLANTED)}")
    page.wait_for_load_state("load")
    page.click("#x")

    assert page.evaluate("window.planted") is None
    assert page.title() == "before"
    assert violations, "the browser reported no refused script"
    assert "script-src 'self'" in answer.headers["content-security-policy"]


def sign_in_to_admin(page: Page, base: str) -> None:
    admin = UserFactory(username="csp-admin", is_superuser=True, is_staff=True)
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_django_admin_works_under_the_policy(page: Page, live_server):
    violations = violations_of(page)
    sign_in_to_admin(page, live_server.url)

    # A change form with filter_horizontal (SelectFilter2.js) and an autocomplete (select2).
    answer = page.goto(f"{live_server.url}/admin/catalogue/supportgroup/add/")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    expect(page.locator("#id_members_from")).to_be_visible()  # drawn by the admin's script
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-search__field")).to_be_visible()
    page.keyboard.press("Escape")

    # The related-object popup: "+" next to a service's category opens the category's add form in a
    # window; saving it answers with popup_response.html, whose static script fills the opener's select.
    page.goto(f"{live_server.url}/admin/catalogue/service/add/")
    with page.expect_popup() as opened:
        page.locator("#add_id_category").click()
    popup = opened.value
    popup.wait_for_load_state()
    popup.locator("#id_name").fill("Made in a popup")
    popup.locator("input[name=_save]").click()
    popup.wait_for_event("close")
    expect(page.locator("#id_category option:checked")).to_have_text("Made in a popup")

    assert violations == []
