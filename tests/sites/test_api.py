"""/api/sites/: signed-in users read the nine sites of Table 1, filter them, and nobody else gets in."""

import csv
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_issue

pytestmark = pytest.mark.django_db
CSV_PATH = Path(__file__).with_name("mlm_sites.csv")


@pytest.fixture
def api():
    return APIClient()


def test_list_returns_the_nine_csv_rows_exactly(api, staff_user):
    api.force_authenticate(staff_user)

    body = api.get("/api/sites/").json()

    with CSV_PATH.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert body["count"] == 9
    got = {site["name"]: site for site in body["results"]}
    for row in rows:
        site = got[row["site"]]
        assert site["town"] == row["town"]
        assert site["connection_type"] == row["connection_type"]
        for figure in (
            "computer_users",
            "buildings",
            "buildings_connected",
            "network_points",
            "network_printers",
            "telephones",
        ):
            assert site[figure] == int(row[figure])
        assert len(site["building_set"]) == int(row["buildings"])


def test_detail(api, staff_user):
    api.force_authenticate(staff_user)
    first = api.get("/api/sites/").json()["results"][0]

    response = api.get(f"/api/sites/{first['id']}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Dutywa Main Building"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"town": "Willowvale"}, ["Willowvale"]),
        ({"town": "Elliotdale"}, ["Elliotdale"]),
        ({"connected": "false"}, ["Dutywa Pound"]),
        ({"q": "wireless to"}, ["Dutywa Town Hall (Community Services)", "Dutywa TRC"]),
        ({"search": "Fibre"}, ["Dutywa Workshop", "Willowvale"]),
    ],
)
def test_filters(api, staff_user, params, expected):
    api.force_authenticate(staff_user)

    body = api.get("/api/sites/", params).json()

    assert [site["name"] for site in body["results"]] == expected


def test_unknown_town_is_a_clear_400(api, staff_user):
    api.force_authenticate(staff_user)

    response = api.get("/api/sites/", {"town": "Mthatha"})

    assert response.status_code == 400
    assert "town" in response.json()


def test_anonymous_is_refused(api):
    assert api.get("/api/sites/").status_code in (401, 403)


def test_token_authentication(api, technician_user):
    token, _expiry = api_token_issue(user=technician_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.get("/api/sites/").status_code == 200


def test_sites_are_read_only_in_the_api(api, admin_role_user):
    api.force_authenticate(admin_role_user)
    first = api.get("/api/sites/").json()["results"][0]

    assert api.post("/api/sites/", {"name": "X", "town": "Dutywa"}).status_code == 405
    assert api.patch(f"/api/sites/{first['id']}/", {"telephones": 1}).status_code == 405
    assert api.delete(f"/api/sites/{first['id']}/").status_code == 405


def test_list_query_count_is_fixed(api, staff_user, django_assert_max_num_queries):
    api.force_authenticate(staff_user)
    with django_assert_max_num_queries(3):  # count, sites, their buildings
        api.get("/api/sites/")


def test_schema_and_docs_are_served_locally(client, staff_user):
    client.force_login(staff_user)

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/sites/" in schema.content
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "redoc" in html.lower()
    # Assets from our own static files, never a CDN.
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
