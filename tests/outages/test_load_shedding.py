"""The load-shedding schedule: imported all or nothing; a stage change re-plans the coming windows."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outages.load_shedding import schedule_import, stage_announce, windows_plan
from outages.models import LoadSheddingBlock, Outage, OutageSource
from sites.models import Site

pytestmark = pytest.mark.django_db
SAST = ZoneInfo("Africa/Johannesburg")


def csv_of(*rows: str) -> bytes:
    return ("area,sites,stage,day,start,end\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def names():
    willowvale = Site.objects.filter(name__icontains="Willowvale").order_by("pk").first()
    return {"dutywa": "Dutywa Main Building", "willowvale": willowvale.name}


def test_a_bad_row_changes_nothing_and_every_error_is_named(names):
    schedule_import(csv_of(f"Dutywa town,{names['dutywa']},1,1,06:00,08:30"))
    answer = schedule_import(
        csv_of(
            f"Dutywa town,{names['dutywa']},1,2,06:00,08:30",
            "Dutywa town,Nowhere Hall,9,32,6am,08:30",
        )
    )
    assert answer.errors == [
        "Line 3: no site is called 'Nowhere Hall'.",
        "Line 3: the stage must be 1 to 8.",
        "Line 3: the day must be 1 to 31.",
        "Line 3: start and end must be times like 06:00.",
    ]
    assert list(LoadSheddingBlock.objects.values_list("day", flat=True)) == [1]
    assert schedule_import(b"name,when\nx,y\n").errors == [
        "The first line must be the columns: area,sites,stage,day,start,end."
    ]


def test_stage_changes_plan_the_coming_windows(frozen, names):
    frozen(2026, 12, 1, 5, 0)  # Tuesday 1 December, 05:00
    answer = schedule_import(
        csv_of(
            f"Willowvale,{names['willowvale']},1,1,12:00,14:30",
            "Willowvale,,3,1,20:00,22:30",
            f"Dutywa town,{names['dutywa']},2,2,06:00,08:30",
            "Dutywa town,,1,1,22:00,00:30",
        )
    )
    assert answer.errors == [] and (answer.areas, answer.blocks) == (2, 4)
    assert not Outage.objects.exists()  # stage 0: nothing planned

    stage_announce(1)
    planned = {
        (o.site.name, o.started_at.astimezone(SAST).strftime("%d %H:%M")) for o in Outage.objects.all()
    }
    assert planned == {(names["willowvale"], "01 12:00"), (names["dutywa"], "01 22:00")}
    overnight = Outage.objects.get(site__name=names["dutywa"])
    assert overnight.ended_at - overnight.started_at == timedelta(hours=2, minutes=30)

    stage_announce(3)
    planned = {
        (o.site.name, o.started_at.astimezone(SAST).strftime("%d %H:%M")) for o in Outage.objects.all()
    }
    assert planned == {
        (names["willowvale"], "01 12:00"),
        (names["willowvale"], "01 20:00"),
        (names["dutywa"], "01 22:00"),
        (names["dutywa"], "02 06:00"),
    }
    assert all(o.source == OutageSource.SCHEDULE and o.kind == "load_shedding" for o in Outage.objects.all())


def test_a_window_that_started_is_kept_when_the_stage_drops(frozen, names):
    frozen(2026, 12, 1, 5, 0)
    schedule_import(csv_of(f"Willowvale,{names['willowvale']},2,1,12:00,14:30"))
    stage_announce(2)
    frozen(2026, 12, 1, 13, 0)
    stage_announce(0)
    kept = Outage.objects.get()
    assert kept.started_at == datetime(2026, 12, 1, 12, 0, tzinfo=SAST)
    assert windows_plan() == 0
