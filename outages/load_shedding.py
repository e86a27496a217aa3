"""Load-shedding: the schedule (areas, their sites, blocks per stage and day of the month) imported from a
CSV all or nothing, the stage announced, and the coming windows planned as outages of each site's power.

The CSV (docs/outages.md has an example for Mbashe's areas), one row per block:

    area,sites,stage,day,start,end
    Dutywa town,Dutywa Main Building;Dutywa TRC,1,1,06:00,08:30

`sites` names the area's sites (separated by ";"; the same on each of the area's rows or left empty after
the first); a block applies from its stage up (stage 4 cuts the blocks of stages 1 to 4). An end before the
start runs past midnight. Any error: nothing is changed and every error is named with its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sites.models import Site

from .models import (
    LoadSheddingArea,
    LoadSheddingBlock,
    LoadSheddingStage,
    Outage,
    OutageCause,
    OutageKind,
    OutageScope,
    OutageSource,
)

COLUMNS = ("area", "sites", "stage", "day", "start", "end")
PLAN_DAYS = 7  # windows are planned this far ahead (beat re-plans daily)
MAX_ROWS = 20_000


@dataclass
class ScheduleImport:
    areas: int = 0
    blocks: int = 0
    errors: list[str] | None = None


def _time(text: str) -> time:
    text = text.strip()
    if len(text) != 5 or text[2] != ":":
        raise ValueError(text)
    return time.fromisoformat(text)


def schedule_import(data: bytes, *, by=None) -> ScheduleImport:
    """Replace the schedule with the CSV's, or change nothing and say every error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ScheduleImport(errors=["The file is not UTF-8 text (save it as CSV UTF-8)."])
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [c.strip().lower() for c in reader.fieldnames] != list(COLUMNS):
        return ScheduleImport(errors=[f"The first line must be the columns: {','.join(COLUMNS)}."])
    sites = {site.name.lower(): site for site in Site.objects.all()}
    errors: list[str] = []
    areas: dict[str, set[int]] = {}
    blocks: list[tuple[str, int, int, time, time]] = []
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            errors.append(f"More than {MAX_ROWS} rows: split the schedule.")
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        area = row.get("area", "")
        if not area:
            errors.append(f"Line {line}: the area is empty.")
            continue
        named = areas.setdefault(area, set())
        for name in filter(None, (part.strip() for part in row.get("sites", "").split(";"))):
            site = sites.get(name.lower())
            if site is None:
                errors.append(f"Line {line}: no site is called {name!r}.")
            else:
                named.add(site.pk)
        try:
            stage, day = int(row.get("stage", "")), int(row.get("day", ""))
        except ValueError:
            errors.append(f"Line {line}: stage and day must be whole numbers.")
            continue
        if not 1 <= stage <= 8:
            errors.append(f"Line {line}: the stage must be 1 to 8.")
        if not 1 <= day <= 31:
            errors.append(f"Line {line}: the day must be 1 to 31.")
        try:
            start, end = _time(row.get("start", "")), _time(row.get("end", ""))
        except ValueError:
            errors.append(f"Line {line}: start and end must be times like 06:00.")
            continue
        if start == end:
            errors.append(f"Line {line}: the block starts and ends at the same time.")
        blocks.append((area, stage, day, start, end))
    if not blocks and not errors:
        errors.append("The file has no block.")
    if errors:
        return ScheduleImport(errors=errors)
    with transaction.atomic():
        LoadSheddingArea.objects.all().delete()
        made = {}
        for name, site_ids in areas.items():
            made[name] = LoadSheddingArea.objects.create(name=name)
            made[name].sites.set(site_ids)
        LoadSheddingBlock.objects.bulk_create(
            LoadSheddingBlock(area=made[a], stage=s, day=d, start=st, end=en) for a, s, d, st, en in blocks
        )
        windows_plan(by=by)
    return ScheduleImport(areas=len(areas), blocks=len(blocks), errors=[])


def current_stage(at: datetime | None = None) -> int:
    at = at or timezone.now()
    row = LoadSheddingStage.objects.filter(effective_from__lte=at).order_by("-effective_from", "-pk").first()
    return row.stage if row else 0


@transaction.atomic
def stage_announce(stage: int, *, effective_from: datetime | None = None, by=None) -> LoadSheddingStage:
    """A new stage from a moment on (now by default); the coming windows are planned again."""
    if not 0 <= stage <= 8:
        from django.core.exceptions import ValidationError

        raise ValidationError({"stage": "The stage is 0 (none) to 8."})
    row = LoadSheddingStage.objects.create(
        stage=stage, effective_from=effective_from or timezone.now(), announced_by=by
    )
    windows_plan(by=by)
    return row


def _windows_on(
    day: date, stage: int, blocks: list[LoadSheddingBlock]
) -> list[tuple[datetime, datetime, LoadSheddingBlock]]:
    zone = timezone.get_current_timezone()
    found = []
    for block in blocks:
        if block.day != day.day or block.stage > stage:
            continue
        start = datetime.combine(day, block.start, zone)
        end = datetime.combine(day + timedelta(days=1) if block.end < block.start else day, block.end, zone)
        found.append((start, end, block))
    return found


def _schedule_windows(
    days: list[date], stage_on, areas: list[LoadSheddingArea], *, after: datetime | None, by=None
) -> list[Outage]:
    """The schedule's windows on these days at the stage of each day (`stage_on(day)`), as unsaved power
    outages of each area's sites; those ending before `after` left out."""
    made = []
    for day in days:
        stage = stage_on(day)
        if stage == 0:
            continue
        for area in areas:
            for start, end, block in _windows_on(day, stage, list(area.blocks.all())):
                if after is not None and end <= after:
                    continue
                for site in area.sites.all():
                    made.append(
                        Outage(
                            scope=OutageScope.POWER,
                            kind=OutageKind.LOAD_SHEDDING,
                            cause=OutageCause.LOAD_SHEDDING,
                            site=site,
                            started_at=start,
                            ended_at=end,
                            source=OutageSource.SCHEDULE,
                            schedule_key=f"{area.pk}:{site.pk}:{day.isoformat()}:{block.start:%H%M}",
                            detail=f"Stage {stage}, {area.name}",
                            recorded_by=by,
                        )
                    )
    return made


@transaction.atomic
def windows_plan(*, by=None, now: datetime | None = None, days: int = PLAN_DAYS) -> int:
    """Plan the coming PLAN_DAYS of load-shedding as outages of each area's sites' power, at the stage in
    force on each day. Windows not started yet are replaced; one that has started is kept as it is (the
    power went off; the desk ends or corrects it). Returns the number of windows planned."""
    from .services import _recalculate_sites

    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    coming = Outage.objects.filter(source=OutageSource.SCHEDULE, started_at__gt=now)
    touched = set(coming.values_list("site_id", flat=True))
    coming.delete()
    started = set(
        Outage.objects.filter(source=OutageSource.SCHEDULE, started_at__lte=now).values_list(
            "schedule_key", flat=True
        )
    )
    areas = list(LoadSheddingArea.objects.prefetch_related("sites", "blocks"))
    today = timezone.localdate(now)
    made = [
        outage
        for outage in _schedule_windows(
            [today + timedelta(days=offset) for offset in range(days + 1)],
            # The stage in force that day (today: from now on, so a stage announced this afternoon counts).
            lambda day: current_stage(max(now, datetime.combine(day, time(12), zone))),
            areas,
            after=now,
            by=by,
        )
        if outage.started_at > now and outage.schedule_key not in started
    ]
    Outage.objects.bulk_create(made)
    touched.update(outage.site_id for outage in made if outage.site_id is not None)
    _recalculate_sites(*touched)
    return len(made)


@transaction.atomic
def windows_record_past(first: date, last: date, stage_on, *, by=None) -> int:
    """Record the schedule's windows of days gone by at the stages they had (`stage_on(day)`): for a
    schedule loaded after the fact, and the demo. Windows already recorded are left alone."""
    from .services import _recalculate_sites

    areas = list(LoadSheddingArea.objects.prefetch_related("sites", "blocks"))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    known = set(Outage.objects.filter(source=OutageSource.SCHEDULE).values_list("schedule_key", flat=True))
    now = timezone.now()
    made = [
        o
        for o in _schedule_windows(days, stage_on, areas, after=None, by=by)
        if o.schedule_key not in known and o.started_at <= now
    ]
    Outage.objects.bulk_create(made)  # a window going on now keeps its scheduled end
    _recalculate_sites(*{o.site_id for o in made})
    return len(made)
