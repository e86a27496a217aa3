"""Planned outages and load-shedding windows on the change calendar (page and API), with their kind."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from outages.load_shedding import schedule_import, windows_record_past
from outages.models import OutageKind, OutageScope
from outages.services import outage_record
from sites.models import Site

pytestmark = pytest.mark.django_db
SAST = ZoneInfo("Africa/Johannesburg")


def test_the_calendar_shows_planned_outages_and_load_shedding_by_kind(client, manager_user, staff_user):
    dutywa = Site.objects.get(name="Dutywa Main Building")
    csv = "area,sites,stage,day,start,end\nDutywa town,Dutywa Main Building;Dutywa TRC,1,9,06:00,08:30\n"
    assert not schedule_import(csv.encode()).errors
    windows_record_past(date(2026, 11, 9), date(2026, 11, 9), lambda day: 2)
    outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.PLANNED,
        site=dutywa,
        started_at=datetime(2026, 11, 10, 17, 0, tzinfo=SAST),
        ended_at=datetime(2026, 11, 10, 19, 0, tzinfo=SAST),
        detail="Core switch replaced",
    )
    outage_record(  # unplanned: not on the calendar
        scope=OutageScope.SITE,
        kind=OutageKind.UNPLANNED,
        site=dutywa,
        started_at=datetime(2026, 11, 11, 9, 0, tzinfo=SAST),
        ended_at=datetime(2026, 11, 11, 10, 0, tzinfo=SAST),
        detail="Cable cut",
    )
    api = APIClient()
    api.force_authenticate(manager_user)
    answer = api.get("/api/changes/calendar/", {"from": "2026-11-09", "to": "2026-11-11"})
    assert answer.status_code == 200
    entries = [(e["kind"], e["title"]) for e in answer.json()]
    assert (
        "load-shedding",
        "Load-shedding: Stage 2, Dutywa town (Dutywa Main Building, Dutywa TRC)",
    ) in entries
    assert [kind for kind, _ in entries].count("load-shedding") == 1  # one per area and window
    assert any(kind == "outage" and "Core switch replaced" in title for kind, title in entries)
    assert not any("Cable cut" in title for _, title in entries)

    client.force_login(manager_user)
    page = client.get(reverse("changes:calendar"), {"date": "2026-11-09", "view": "week"}).content.decode()
    assert "cal-load-shedding" in page and "Core switch replaced" in page
    assert "Load-shedding" in page  # the legend names the kind

    # Staff see approved changes at their site only, not the desk's other kinds.
    api.force_authenticate(staff_user)
    rows = api.get("/api/changes/calendar/", {"from": "2026-11-09", "to": "2026-11-11"}).json()
    assert not [e for e in rows if e["kind"] in ("outage", "load-shedding")]
