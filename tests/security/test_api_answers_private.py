"""Two weaknesses found in the second round (issue 16), each shut here:

- API answers carried no Cache-Control: the token endpoint's bearer token (RFC 6749 5.1 asks no-store)
  and every ticket, name and file list could be kept by a shared proxy or a shared computer's disk cache
  (common/private_answers.py);
- the asset register's API handed every signed-in account, one with no role included, the sign-in name
  of each person an asset is assigned to: a list of usernames to try one password against
  (sites/api.py: the ICT service desk only).
"""

import pytest
from rest_framework.test import APIClient

from common import access as roles
from tests.factories import TEST_PASSWORD, AssetFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_token_answer_is_never_stored(staff_user):
    response = APIClient().post(
        "/api/auth/token/", {"username": staff_user.username, "password": TEST_PASSWORD}, format="json"
    )

    assert response.status_code == 200, response.content
    assert "token" in response.json()
    # The token view says no-store itself (accounts/api.py); no cache may keep the answer.
    assert "no-store" in response["Cache-Control"]


def test_every_api_answer_is_never_stored(technician_user):
    ticket = TicketFactory()
    api = APIClient()
    api.force_authenticate(technician_user)

    for url in (
        "/api/",
        "/api/tickets/",
        f"/api/tickets/{ticket.pk}/",
        f"/api/tickets/{ticket.pk}/comments/",
        "/api/assets/",
        "/api/tickets/999999/",
        "/api/no-such-thing/",
    ):
        response = api.get(url)
        assert response["Cache-Control"] == "private, no-store", (url, response.status_code)
    refused = APIClient().get("/api/tickets/")
    assert refused.status_code in (401, 403)
    assert refused["Cache-Control"] == "private, no-store"


@pytest.fixture
def assigned_asset(db):
    holder = UserFactory(username="nomsa.sign-in-name", first_name="Nomsa", last_name="Dlamini")
    return AssetFactory(assigned_to=holder)


@pytest.mark.parametrize("role", [roles.STAFF, None])
def test_the_asset_api_hands_no_sign_in_names_to_requesters(assigned_asset, role):
    caller = UserFactory(role=role) if role else UserFactory()  # None: an account with no role yet
    api = APIClient()
    api.force_authenticate(caller)

    for url in ("/api/assets/", f"/api/assets/{assigned_asset.pk}/"):
        response = api.get(url)
        assert response.status_code == 200, response.content
        assert b"nomsa.sign-in-name" not in response.content, url
    one = api.get(f"/api/assets/{assigned_asset.pk}/").json()
    assert one["assigned_to_username"] is None
    assert one["assigned_to"] == assigned_asset.assigned_to_id  # who holds it is still said, by id


def test_the_service_desk_still_sees_the_sign_in_name(assigned_asset, technician_user):
    api = APIClient()
    api.force_authenticate(technician_user)

    one = api.get(f"/api/assets/{assigned_asset.pk}/").json()

    assert one["assigned_to_username"] == "nomsa.sign-in-name"
