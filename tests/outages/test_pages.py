"""The outages page, recording and ending an outage, "this is an outage" and the staff banner."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from incidents import services as ticket_services
from outages.models import Outage, OutageKind, OutageScope
from outages.services import outage_record
from sites.models import Site
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_banner():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def willowvale():
    return Site.objects.filter(name__icontains="Willowvale").order_by("pk").first()


def test_staff_see_the_page_and_a_banner_at_their_site_only(client, staff_user, willowvale):
    now = timezone.now()
    outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.UNPLANNED,
        site=willowvale,
        started_at=now - timedelta(minutes=30),
        expected_end_at=now + timedelta(hours=2),
        detail="<script>alert(1)</script>",
    )
    staff_user.site = willowvale
    staff_user.save()
    client.force_login(staff_user)
    page = client.get(reverse("my_tickets")).content.decode()
    assert f"{willowvale.name} unavailable since" in page
    assert "you do not need to log a ticket" in page
    listing = client.get(reverse("outages:outage_list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and "<script>alert(1)" not in listing
    assert "Record an outage" not in listing

    staff_user.site = Site.objects.get(name="Dutywa Main Building")
    staff_user.save()
    assert "you do not need to log a ticket" not in client.get(reverse("my_tickets")).content.decode()


def test_staff_cannot_record_or_end_outages(client, staff_user, willowvale):
    outage = outage_record(scope=OutageScope.SITE, kind=OutageKind.UNPLANNED, site=willowvale)
    client.force_login(staff_user)
    assert client.get(reverse("outages:outage_new")).status_code == 403
    assert client.post(reverse("outages:outage_end", args=[outage.pk])).status_code == 403
    outage.refresh_from_db()
    assert outage.ended_at is None


def test_the_desk_records_and_ends_an_outage(client, technician_user, willowvale):
    client.force_login(technician_user)
    assert client.get(reverse("outages:outage_new")).status_code == 200
    bad = client.post(
        reverse("outages:outage_new"), {"scope": "link", "kind": "unplanned", "cause": "link_down"}
    )
    assert bad.status_code == 400 and not Outage.objects.exists()
    answer = client.post(
        reverse("outages:outage_new"),
        {
            "scope": "power",
            "kind": "load_shedding",
            "cause": "load_shedding",
            "site": willowvale.pk,
            "started_at": "2026-12-01T12:00",
            "expected_end_at": "2026-12-01T14:30",
        },
    )
    assert answer.status_code == 302
    outage = Outage.objects.get()
    assert outage.recorded_by == technician_user
    client.post(reverse("outages:outage_end", args=[outage.pk]), {"ended_at": "2026-12-01T14:40"})
    outage.refresh_from_db()
    assert timezone.localtime(outage.ended_at).strftime("%H:%M") == "14:40"


def test_a_major_incident_becomes_an_outage_in_one_step(client, staff_user, technician_user, willowvale):
    ticket = TicketFactory(requester=staff_user, site=willowvale, summary="Willowvale: no network at all")
    client.force_login(technician_user)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "This is an outage" not in page  # not a major incident yet
    other = TicketFactory(requester=staff_user, site=willowvale, summary="Cannot reach the internet")
    ticket_services.major_incident_link(parent=ticket, children=[other], by=technician_user)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert f"This is an outage of {willowvale.name}" in page
    client.post(reverse("outages:outage_from_major", args=[ticket.pk]))
    client.post(reverse("outages:outage_from_major", args=[ticket.pk]))
    outage = Outage.objects.get()
    assert outage.major_incident_id == ticket.pk and outage.site == willowvale and outage.ended_at is None


def test_the_desk_uploads_a_schedule_and_announces_a_stage(client, staff_user, technician_user, willowvale):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from outages.models import LoadSheddingArea, LoadSheddingStage

    url = reverse("outages:load_shedding")
    client.force_login(staff_user)
    assert client.get(url).status_code == 403
    client.force_login(technician_user)
    bad = SimpleUploadedFile("s.csv", b"area,sites,stage,day,start,end\nX,Nowhere,1,1,06:00,08:00\n")
    answer = client.post(url, {"schedule": bad})
    assert answer.status_code == 400 and "no site is called" in answer.content.decode()
    assert not LoadSheddingArea.objects.exists()
    good = SimpleUploadedFile(
        "s.csv", f"area,sites,stage,day,start,end\nWillowvale,{willowvale.name},1,1,06:00,08:00\n".encode()
    )
    assert client.post(url, {"schedule": good}).status_code == 302
    assert LoadSheddingArea.objects.get().sites.get() == willowvale
    assert client.post(url, {"stage": "9"}).status_code == 400
    assert client.post(url, {"stage": "2"}).status_code == 302
    assert LoadSheddingStage.objects.get().stage == 2
    assert "Stage 2" in client.get(url).content.decode()


def test_the_coming_load_shedding_is_one_row_per_area_and_window(
    client, technician_user, willowvale, django_assert_max_num_queries
):
    from outages.load_shedding import schedule_import, stage_announce

    dutywa = ["Dutywa Main Building", "Dutywa TRC"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    rows = [f"Dutywa town,{';'.join(dutywa)},1,{tomorrow.day},06:00,08:30"]
    rows += [f"Willowvale,{willowvale.name},1,{tomorrow.day},12:00,14:30"]
    schedule_import(("area,sites,stage,day,start,end\n" + "\n".join(rows) + "\n").encode())
    stage_announce(1)
    assert Outage.objects.filter(started_at__gt=timezone.now()).count() >= 3
    outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.PLANNED,
        site=willowvale,
        started_at=timezone.now() + timedelta(days=2),
        detail="Router firmware",
    )
    client.force_login(technician_user)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("outages:outage_list")).content.decode()
    # One row for Dutywa's window naming both sites, one for Willowvale's; the planned work on its own.
    assert page.count("Stage 1, Dutywa town") == 1 and "Dutywa Main Building, Dutywa TRC" in page
    assert page.count("Stage 1, Willowvale") == 1
    assert "Router firmware" in page
    assert "Dutywa Main Building load-shedding" not in page
