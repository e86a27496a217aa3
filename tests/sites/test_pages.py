"""The site page, the asset page, the asset finder and the label sheet: who may see them, what they show,
and that their query counts do not grow with the number of assets."""

import datetime
import html

import pytest
from django.urls import reverse

from sites.labels import qr_svg
from sites.models import AssetStatus, AssetType, ConnectionType, Site
from tests.factories import AssetFactory, BuildingFactory, UserFactory

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


@pytest.fixture
def trc():
    return Site.objects.get(name="Dutywa TRC")


def site_url(site):
    return reverse("sites:site_detail", args=[site.pk])


def asset_url(tag):
    return reverse("sites:asset_detail", args=[tag])


# --- the site page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role_user", ["staff_user", "technician_user", "manager_user", "admin_role_user"])
def test_every_role_sees_a_site_page(request, signed_in, trc, role_user):
    response = signed_in(request.getfixturevalue(role_user)).get(site_url(trc))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Dutywa TRC" in content
    assert 'data-figure="computer_users">11<' in content
    assert 'data-figure="telephones">4<' in content


def test_site_page_needs_sign_in(client, trc):
    response = client.get(site_url(trc))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unknown_site_is_404(signed_in, staff_user):
    assert signed_in(staff_user).get(reverse("sites:site_detail", args=[999_999])).status_code == 404


def test_sites_list_links_each_site_to_its_page(signed_in, staff_user, trc):
    content = signed_in(staff_user).get(reverse("sites:site_list")).content.decode()

    assert f'href="{site_url(trc)}"' in content


def test_site_page_counts_assets_by_type_and_status(signed_in, staff_user, trc):
    AssetFactory.create_batch(3, site=trc, type=AssetType.DESKTOP)
    AssetFactory(site=trc, type=AssetType.DESKTOP, status=AssetStatus.IN_REPAIR)
    AssetFactory(site=trc, type=AssetType.PRINTER, status=AssetStatus.RETIRED)
    AssetFactory(type=AssetType.PRINTER)  # another site's

    response = signed_in(staff_user).get(site_url(trc))

    summary = response.context["summary"]
    assert summary.status_labels == ["In use", "In store", "In repair", "Retired"]
    assert [(row.type_label, row.counts, row.total) for row in summary.rows] == [
        ("Desktop", [3, 0, 1, 0], 4),
        ("Printer", [0, 0, 0, 1], 1),
    ]
    assert (summary.status_totals, summary.total) == ([3, 0, 1, 1], 5)
    assert 'data-total="assets">5<' in response.content.decode()


def test_site_page_lists_its_buildings_and_offers_to_log_a_ticket(signed_in, staff_user):
    main = Site.objects.get(name="Dutywa Main Building")

    response = signed_in(staff_user).get(site_url(main))

    assert [b.name for b in response.context["buildings"]] == [
        "Main building",
        "Park home 1",
        "Park home 2",
        "Park home 3",
    ]
    content = response.content.decode()
    assert f"/tickets/new/?site={main.pk}" in content
    assert "work queue" not in content  # the queue is for the service desk, not for staff


def test_site_page_filters_and_pages_its_assets(signed_in, staff_user, trc):
    AssetFactory.create_batch(30, site=trc, type=AssetType.TELEPHONE)
    AssetFactory(site=trc, type=AssetType.PRINTER, asset_tag="MLM-PRN-0042")

    client = signed_in(staff_user)
    first = client.get(site_url(trc))
    second = client.get(site_url(trc), {"page": 2})
    printers = client.get(site_url(trc), {"type": "printer"})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 6
    assert [a.asset_tag for a in printers.context["page"]] == ["MLM-PRN-0042"]
    assert "page=2" in first.content.decode()


def test_site_page_offers_only_its_own_buildings(signed_in, staff_user, trc):
    BuildingFactory(name="Somewhere else")

    form = signed_in(staff_user).get(site_url(trc)).context["filter"].form

    assert [str(b) for b in form.fields["building"].queryset] == ["Building (Dutywa TRC)"]
    assert "site" not in form.fields and "town" not in form.fields


def test_site_page_query_count_does_not_grow_with_assets(
    signed_in, staff_user, trc, django_assert_num_queries
):
    person = UserFactory()
    building = trc.building_set.get()
    client = signed_in(staff_user)
    client.get(site_url(trc))  # warm the session
    AssetFactory.create_batch(5, site=trc, building=building, assigned_to=person)

    # session, user, groups, site, buildings (filter choices), buildings with counts, summary,
    # page count, page rows; outages' availability panel (sites.panels): the site's and its links'
    # outages of the month, the site, the links (the desk calendar is cached in the process)
    with django_assert_num_queries(12):
        client.get(site_url(trc))
    AssetFactory.create_batch(55, site=trc, building=building, assigned_to=person)
    with django_assert_num_queries(12):
        response = client.get(site_url(trc))
    assert response.context["page"].paginator.count == 60


def test_labels_link_only_for_roles_that_may_print(signed_in, staff_user, technician_user, trc):
    labels = reverse("sites:site_labels", args=[trc.pk])

    assert labels not in signed_in(staff_user).get(site_url(trc)).content.decode()
    assert labels in signed_in(technician_user).get(site_url(trc)).content.decode()


# --- the asset page -----------------------------------------------------------------------------------


def test_asset_page_shows_the_details_and_says_no_tickets_exist_yet(signed_in, staff_user, trc):
    person = UserFactory(first_name="Ayanda", last_name="Zulu")
    AssetFactory(
        asset_tag="MLM-LAP-0007",
        type=AssetType.LAPTOP,
        make="Lenovo",
        model="ThinkPad E14",
        serial="PF3XYZ",
        site=trc,
        building=trc.building_set.get(),
        assigned_to=person,
        status=AssetStatus.IN_REPAIR,
        purchase_date=datetime.date(2023, 7, 3),
        warranty_expires=datetime.date(2099, 7, 3),
    )

    response = signed_in(staff_user).get(asset_url("MLM-LAP-0007"))

    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "Lenovo",
        "ThinkPad E14",
        "PF3XYZ",
        "Dutywa TRC",
        "Ayanda Zulu",
        "In repair",
        "Until 3 July 2099",
    ):
        assert text in content
    assert "/tickets/new/?asset=" in content


def test_a_link_shows_its_two_ends(signed_in, staff_user, trc):
    AssetFactory(
        asset_tag="MLM-LNK-0001",
        type=AssetType.NETWORK_LINK,
        connection_type=ConnectionType.WIRELESS,
        site=trc,
        far_site=Site.objects.get(name="Dutywa Main Building"),
    )

    content = signed_in(staff_user).get(asset_url("MLM-LNK-0001")).content.decode()

    assert "Dutywa TRC -&gt; Dutywa Main Building, wireless" in content


def test_unknown_asset_tag_is_404(signed_in, staff_user):
    client = signed_in(staff_user)

    assert client.get(asset_url("MLM-XXX-9999")).status_code == 404
    assert client.get(reverse("sites:asset_qr", args=["MLM-XXX-9999"])).status_code == 404


def test_asset_page_needs_sign_in(client):
    AssetFactory(asset_tag="MLM-DSK-0001")

    response = client.get(asset_url("MLM-DSK-0001"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_asset_page_links_to_admin_only_for_admins(signed_in, staff_user, admin_role_user):
    asset = AssetFactory(asset_tag="MLM-DSK-0001")
    change = reverse("admin:sites_asset_change", args=[asset.pk])

    assert change not in signed_in(staff_user).get(asset_url("MLM-DSK-0001")).content.decode()
    assert change in signed_in(admin_role_user).get(asset_url("MLM-DSK-0001")).content.decode()


def test_user_entered_text_is_escaped_on_the_asset_page(signed_in, staff_user):
    AssetFactory(asset_tag="MLM-DSK-0001", make=XSS, model=XSS, notes=XSS, serial=XSS)

    content = signed_in(staff_user).get(asset_url("MLM-DSK-0001")).content.decode()

    assert XSS not in content
    assert html.escape(XSS) in content


# --- finding an asset ---------------------------------------------------------------------------------


def test_an_exact_tag_opens_the_asset(signed_in, staff_user):
    AssetFactory(asset_tag="MLM-PRN-0001")

    response = signed_in(staff_user).get(reverse("sites:asset_list"), {"q": " mlm-prn-0001 "})

    assert response.status_code == 302
    assert response.url == asset_url("MLM-PRN-0001")


def test_search_by_serial_or_part_of_a_tag_lists_exact_matches_first(signed_in, staff_user):
    AssetFactory(asset_tag="MLM-PRN-0011", serial="VCF1")
    AssetFactory(asset_tag="MLM-PRN-0001", serial="VCF12")
    AssetFactory(asset_tag="MLM-DSK-0001", serial="CND1")
    client = signed_in(staff_user)

    by_serial = client.get(reverse("sites:asset_list"), {"q": "vcf12"})
    partial = client.get(reverse("sites:asset_list"), {"q": "VCF1"})
    part_of_tag = client.get(reverse("sites:asset_list"), {"q": "PRN"})

    assert [a.asset_tag for a in by_serial.context["page"]] == ["MLM-PRN-0001"]
    assert [a.asset_tag for a in partial.context["page"]] == ["MLM-PRN-0011", "MLM-PRN-0001"]
    assert [a.asset_tag for a in part_of_tag.context["page"]] == ["MLM-PRN-0001", "MLM-PRN-0011"]


def test_asset_list_filters_by_town_and_pages_by_25(signed_in, staff_user):
    AssetFactory.create_batch(27, site=Site.objects.get(name="Willowvale"))
    AssetFactory(site=Site.objects.get(name="Elliotdale"))
    client = signed_in(staff_user)

    willowvale = client.get(reverse("sites:asset_list"), {"town": "Willowvale"})
    last = client.get(reverse("sites:asset_list"), {"town": "Willowvale", "page": 2})

    assert willowvale.context["page"].paginator.count == 27
    assert len(willowvale.context["page"].object_list) == 25
    assert len(last.context["page"].object_list) == 2
    assert "town=Willowvale&amp;page=2" in willowvale.content.decode()


def test_user_entered_text_is_escaped_in_the_asset_list(signed_in, staff_user):
    AssetFactory(make=XSS)

    content = signed_in(staff_user).get(reverse("sites:asset_list")).content.decode()

    assert XSS not in content
    assert html.escape(XSS) in content


def test_asset_list_query_count_does_not_grow_with_assets(
    signed_in, staff_user, trc, django_assert_num_queries
):
    person = UserFactory()
    client = signed_in(staff_user)
    client.get(reverse("sites:asset_list"))
    AssetFactory.create_batch(5, site=trc, building=trc.building_set.get(), assigned_to=person)

    # session, user, groups, site choices, building choices, page count, page rows
    with django_assert_num_queries(7):
        client.get(reverse("sites:asset_list"))
    AssetFactory.create_batch(55, site=trc, building=trc.building_set.get(), assigned_to=person)
    with django_assert_num_queries(7):
        response = client.get(reverse("sites:asset_list"))
    assert response.context["page"].paginator.count == 60


# --- the QR path --------------------------------------------------------------------------------------


def test_the_qr_path_opens_log_a_ticket_about_the_asset(signed_in, staff_user):
    AssetFactory(asset_tag="MLM-PRN-0001")

    response = signed_in(staff_user).get(reverse("sites:asset_qr", args=["MLM-PRN-0001"]))

    assert response.status_code == 302
    assert response.url == "/tickets/new/?asset=MLM-PRN-0001"


def test_the_qr_path_leads_to_a_form_that_says_which_device_and_its_service(signed_in, staff_user):
    dutywa = Site.objects.get(name="Dutywa Main Building")
    AssetFactory(
        asset_tag="MLM-PRN-0001",
        type=AssetType.PRINTER,
        make="HP",
        model="LaserJet M404",
        site=dutywa,
        building=dutywa.building_set.get(name="Main building"),
        location="2nd floor",
    )

    response = signed_in(staff_user).get(reverse("sites:asset_qr", args=["MLM-PRN-0001"]), follow=True)

    page = response.content.decode()
    assert "<strong>HP LaserJet M404, Dutywa Main Building, 2nd floor</strong>" in page
    chosen = response.context["form"]["service"].value()
    assert response.context["form"].services[chosen].name == "Printing, copying and scanning"


def test_an_asset_page_says_where_in_the_building_it_stands(signed_in, staff_user):
    AssetFactory(asset_tag="MLM-PRN-0002", type=AssetType.PRINTER, location="2nd floor, Finance office")

    page = signed_in(staff_user).get(reverse("sites:asset_detail", args=["MLM-PRN-0002"])).content.decode()

    assert "Where in the building" in page and "2nd floor, Finance office" in page


def test_the_qr_path_asks_a_stranger_to_sign_in_first(client):
    AssetFactory(asset_tag="MLM-PRN-0001")

    response = client.get(reverse("sites:asset_qr", args=["MLM-PRN-0001"]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- labels -------------------------------------------------------------------------------------------


def labels_url(site):
    return reverse("sites:site_labels", args=[site.pk])


@pytest.mark.parametrize(
    ("role_user", "status"),
    [("staff_user", 403), ("technician_user", 200), ("manager_user", 200), ("admin_role_user", 200)],
)
def test_labels_are_for_technicians_managers_and_admins(request, signed_in, trc, role_user, status):
    response = signed_in(request.getfixturevalue(role_user)).get(labels_url(trc))

    assert response.status_code == status


def test_labels_need_sign_in(client, trc):
    response = client.get(labels_url(trc))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_labels_sheet_has_a_qr_code_per_asset_in_sheets_of_24(signed_in, technician_user, trc):
    AssetFactory.create_batch(25, site=trc, type=AssetType.TELEPHONE, make="Yealink")
    AssetFactory(site=trc, status=AssetStatus.RETIRED, asset_tag="MLM-DSK-0099")

    response = signed_in(technician_user).get(labels_url(trc))

    sheets = response.context["sheets"]
    assert [len(sheet) for sheet in sheets] == [24, 1]
    content = response.content.decode()
    assert content.count('class="asset-label"') == 25
    assert content.count("<svg") == 25
    assert "MLM-DSK-0099" not in content  # retired: no label
    assert "<script" not in content and "http" not in content.split("<main", 1)[1].split("</main>")[0]


def test_a_label_qr_encodes_the_public_short_path(signed_in, technician_user, trc, settings):
    settings.SITE_URL = "https://servicedesk.mbashe.gov.za"
    AssetFactory(site=trc, asset_tag="MLM-PRN-0001")
    client = signed_in(technician_user)

    content = client.get(labels_url(trc)).content.decode()
    opened = client.get("/a/MLM-PRN-0001")
    old_label = client.get("/sites/a/MLM-PRN-0001")

    # SITE_URL, not the address the technician printed from: phones must open the public one.
    assert qr_svg("https://servicedesk.mbashe.gov.za/a/MLM-PRN-0001") in content
    assert opened.status_code == 302
    assert opened.url == "/tickets/new/?asset=MLM-PRN-0001"
    assert old_label.status_code == 302


def test_user_entered_text_is_escaped_on_the_labels(signed_in, technician_user, trc):
    AssetFactory(site=trc, make=XSS, model=XSS)

    content = signed_in(technician_user).get(labels_url(trc)).content.decode()

    assert XSS not in content
    assert html.escape(XSS) in content


def test_labels_can_be_narrowed_to_one_type(signed_in, technician_user, trc):
    AssetFactory(site=trc, type=AssetType.PRINTER, asset_tag="MLM-PRN-0001")
    AssetFactory(site=trc, type=AssetType.DESKTOP, asset_tag="MLM-DSK-0001")

    response = signed_in(technician_user).get(labels_url(trc), {"type": "printer"})

    assert [label.asset.asset_tag for sheet in response.context["sheets"] for label in sheet] == [
        "MLM-PRN-0001"
    ]
