"""The nine sites of Table 1: loaded by migration, shown on the sites page and the API exactly as the CSV."""

import csv
from pathlib import Path

import pytest
from django.urls import reverse

from sites.models import Building, Site

CSV_PATH = Path(__file__).with_name("mlm_sites.csv")  # a copy of ../shared/data/mlm_sites.csv
FIGURES = [
    "computer_users",
    "buildings",
    "buildings_connected",
    "network_points",
    "network_printers",
    "telephones",
]
TABLE1_TOTALS = {
    "computer_users": 157,
    "buildings": 17,
    "buildings_connected": 16,
    "network_points": 290,
    "network_printers": 27,
    "telephones": 130,
}

pytestmark = pytest.mark.django_db


def csv_rows():
    with CSV_PATH.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_migration_loads_every_csv_row_with_its_facts():
    rows = csv_rows()
    assert len(rows) == 9
    for row in rows:
        site = Site.objects.get(name=row["site"])
        assert site.town == row["town"]
        assert site.connection_type == row["connection_type"]
        for figure in FIGURES:
            assert getattr(site, figure) == int(row[figure]), (site.name, figure)


def test_buildings_rows_agree_with_table1_counts():
    for site in Site.objects.all():
        buildings = Building.objects.filter(site=site)
        assert buildings.count() == site.buildings
        assert buildings.filter(connected=True).count() == site.buildings_connected


def test_table1_totals_match_the_strategy():
    for figure, total in TABLE1_TOTALS.items():
        assert sum(int(row[figure]) for row in csv_rows()) == total
        assert sum(Site.objects.values_list(figure, flat=True)) == total


def test_sites_page_shows_nine_rows_and_the_totals(signed_in, staff_user):
    response = signed_in(staff_user).get(reverse("sites:site_list"))

    assert response.status_code == 200
    assert [s.name for s in response.context["sites"]] == [row["site"] for row in csv_rows()]
    assert response.context["totals"] == TABLE1_TOTALS
    html = response.content.decode()
    for figure, total in TABLE1_TOTALS.items():
        assert f'data-total="{figure}">{total}<' in html
    assert "Dutywa Town Hall (Community Services)" in html


def test_sites_page_filters_by_town_and_totals_follow(signed_in, staff_user):
    response = signed_in(staff_user).get(reverse("sites:site_list"), {"town": "Elliotdale"})

    assert [s.name for s in response.context["sites"]] == ["Elliotdale"]
    assert response.context["totals"]["telephones"] == 14


def test_sites_page_needs_sign_in(client):
    response = client.get(reverse("sites:site_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sites_page_query_count_does_not_grow_with_sites(signed_in, staff_user, django_assert_num_queries):
    from tests.factories import SiteFactory

    client = signed_in(staff_user)
    client.get(reverse("sites:site_list"))  # warm the session
    # session, user, the user's groups (navigation), site rows, totals
    with django_assert_num_queries(5):
        client.get(reverse("sites:site_list"))
    SiteFactory.create_batch(20)
    with django_assert_num_queries(5):
        response = client.get(reverse("sites:site_list"))
    assert len(response.context["sites"]) == 29


def test_site_figures_cannot_claim_more_connected_buildings_than_buildings():
    from django.db import IntegrityError, transaction

    site = Site.objects.get(name="Dutywa Pound")
    site.buildings_connected = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        site.save()
    site.refresh_from_db()
    assert site.buildings_connected == 0
