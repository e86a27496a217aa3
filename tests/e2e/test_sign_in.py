"""Each role signs in through a real browser and lands on its own home; it works at phone width."""

import pytest
from playwright.sync_api import Page, expect

from common import access as roles
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

HOMES = [
    (roles.STAFF, "/tickets/", "My tickets"),
    (roles.TECHNICIAN, "/queue/", "Work queue"),
    (roles.MANAGER, "/dashboard/", "Dashboard"),
    (roles.ADMIN, "/admin/", "Catalogue, SLAs, sites and people"),
]


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(("role", "path", "heading"), HOMES)
def test_each_role_lands_on_its_home(page: Page, live_server, role, path, heading):
    user = UserFactory(role=role)

    sign_in(page, live_server.url, user.username, TEST_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def test_staff_reads_table1_on_a_phone_and_signs_out(page: Page, live_server):
    user = UserFactory(role=roles.STAFF)
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server.url, user.username, TEST_PASSWORD)

    page.get_by_role("link", name="Sites").click()

    expect(page.get_by_role("heading", name="Sites")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(9)
    expect(page.locator('[data-total="computer_users"]')).to_have_text("157")
    # The navigation fits the phone's width: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Signed out")).to_be_visible()


def test_wrong_password_says_so_and_keeps_the_username(page: Page, live_server):
    user = UserFactory(role=roles.STAFF)

    sign_in(page, live_server.url, user.username, "not-the-password")

    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(user.username)
