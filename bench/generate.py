"""Load N realistic tickets into a benchmark PostgreSQL database, reproducibly from a seed.

    python -m bench.generate --tickets 100000 --seed 7 \\
        --database-url postgres://postgres@127.0.0.1:5432/servicedesk_bench_100k

Creates and migrates the database when missing, adds the people (157 staff as Table 1 counts them,
five technicians in the support groups, an ICT manager) and the demo asset register, then lives every
ticket through in memory (bench/ticket_life.py mirrors the service functions) over the twelve months
before now, and writes tickets, history, comments, ratings, SLA clocks and SLA events with COPY.
The clocks come from slas.clocks.clocks_derive over each ticket's history; a sample is then checked
against the real engine (incidents.service_levels.ticket_clocks_refresh and slas.services.sla_sweep) in
a transaction that is rolled back.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import itertools
import json
import math
import multiprocessing
import os
import random
import resource
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter

from bench import database, texts
from bench.database import NULL, copy_datetime, copy_text
from servicedesk import demo_texts


def stream(*name) -> random.Random:
    """A reproducible random stream, named by the seed and what it draws (test data, never secrets)."""
    return random.Random(":".join(str(part) for part in name))  # noqa: S311


class Weighted:
    """A weighted draw, with the cumulative weights worked out once."""

    def __init__(self, *pairs):
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


SAMPLE_SIZE = 200
BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD") or "bench-only-password-7c1d"
TECHNICIANS = 5
# Support group -> the technicians (1-based) in it: everyone in one or two groups, every group staffed.
GROUP_STAFFING = {
    "Service Desk": (1, 2),
    "Networks": (3, 1),
    "Desktop and Printing": (4, 2),
    "Business Applications": (5, 4),
    "Telephony": (3, 5),
}
# How often each live service is asked for (others: 3).
SERVICE_WEIGHTS = {
    "Computers and laptops": 14,
    "Printing, copying and scanning": 14,
    "User accounts and passwords": 12,
    "E-mail and calendars": 10,
    "Internet access": 8,
    "Financial management system": 6,
    "Network points and Wi-Fi": 5,
    "Software installation": 5,
    "Desk telephones and extensions": 5,
    "Site network link": 4,
    "Access to systems and shared folders": 4,
    "Shared drives and file storage": 4,
    "Payroll and HR system": 3,
    "Revenue and billing system": 3,
    "Municipal cell phones and data": 3,
    "Records and document management": 2,
    "Virus, phishing and security incidents": 2,
}
# Which asset a ticket on the service names, when it names one.
SERVICE_ASSET = {
    "Computers and laptops": "computer",
    "Printing, copying and scanning": "printer",
    "Desk telephones and extensions": "telephone",
    "Site network link": "network_link",
}
IMPACTS = Weighted(("low", 0.55), ("medium", 0.33), ("high", 0.12))
URGENCIES = Weighted(("low", 0.25), ("medium", 0.50), ("high", 0.25))
CHANNELS = Weighted(("web", 0.55), ("phone", 0.28), ("walk_in", 0.12), ("email", 0.05))
OPEN_YOUNG = Weighted(
    ("new", 0.18), ("assigned", 0.20), ("in_progress", 0.32), ("pending", 0.22), ("reopened", 0.08)
)
OPEN_OLD = Weighted(
    ("new", 0.05), ("assigned", 0.15), ("in_progress", 0.30), ("pending", 0.40), ("reopened", 0.10)
)
RESOLUTION_CODES = Weighted(
    ("fixed", 0.45),
    ("workaround", 0.10),
    ("fulfilled", 0.20),
    ("advice", 0.12),
    ("third_party", 0.08),
    ("no_fault", 0.05),
)
SCORES = Weighted((5, 0.45), (4, 0.30), (3, 0.12), (2, 0.07), (1, 0.06))


# --- business time, fast ---------------------------------------------------------------------------------


def memoised(spec):
    """The same CalendarSpec, with each day's open intervals computed once (they are pure per day), so the
    real business_add, business_between and clocks_derive run fast over a hundred thousand tickets."""
    from slas.business_time import CalendarSpec

    cache: dict[date, list] = {}
    compute = spec.intervals_on

    class MemoisedSpec(CalendarSpec):
        def intervals_on(self, day: date):
            intervals = cache.get(day)
            if intervals is None:
                intervals = cache[day] = compute(day)
            return intervals

    return MemoisedSpec(tz=spec.tz, hours=spec.hours, closed=spec.closed, always_open=spec.always_open)


class BusinessClock:
    """business_add for scheduling a ticket's steps, by bisection over the open intervals worked out once
    (the real function walks the calendar day by day; the clocks themselves use the real one)."""

    def __init__(self, spec, start: datetime, end: datetime):
        self.spec = spec
        self.starts: list[datetime] = []
        self.before: list[float] = []  # open seconds before each interval
        self.through: list[float] = []  # open seconds up to each interval's end
        total = 0.0
        day, last = start.astimezone(spec.tz).date(), end.astimezone(spec.tz).date()
        while day <= last:
            for opens, closes in spec.intervals_on(day):
                self.starts.append(opens)
                self.before.append(total)
                total += (closes - opens).total_seconds()
                self.through.append(total)
            day += timedelta(days=1)

    def position(self, at: datetime) -> float | None:
        """Open seconds from the clock's start to `at` (closed time counts from the next opening)."""
        index = bisect.bisect_right(self.starts, at) - 1
        if index < 0:
            return None
        return min(self.before[index] + (at - self.starts[index]).total_seconds(), self.through[index])

    def at_position(self, position: float) -> datetime | None:
        index = bisect.bisect_left(self.through, position)
        if index >= len(self.starts):
            return None
        return self.starts[index] + timedelta(seconds=position - self.before[index])

    def add(self, at: datetime, minutes: float) -> datetime:
        position = self.position(at)
        result = None if position is None else self.at_position(position + minutes * 60)
        if result is None:  # outside the precomputed years: the real (slower) function
            from slas.business_time import business_add

            return business_add(self.spec, at, timedelta(minutes=minutes))
        return result

    def draw(self, rng: random.Random, start: datetime, end: datetime) -> datetime:
        """An instant in open time between start and end, uniformly over the open seconds."""
        return self.at_position(rng.uniform(self.position(start), self.position(end)))


# --- what the database already holds ---------------------------------------------------------------------


@dataclass
class ServiceFacts:
    id: int
    name: str
    group_id: int
    kinds: list[str]
    model: object  # catalogue.Service with its critical periods prefetched
    sla_id: int | None
    sla_name: str
    weight: float


@dataclass
class World:
    """Everything the tickets are drawn from: sites, people, services, agreements, assets."""

    now: datetime
    start: datetime
    sites: list[tuple[int, str, float]]  # id, name, weight
    staff_by_site: dict[int, list[int]]
    staff_weights: dict[int, list[float]]
    staff_index: dict[int, int]  # user id -> position among the site's staff (their computer)
    members: dict[int, list[int]]  # support group id -> technicians
    desk: list[int]  # who takes phone calls and walk-ins
    usernames: dict[int, str]
    services: list[ServiceFacts]
    targets: dict[tuple[int, int], tuple[int, int]]  # (sla, priority) -> (response, resolution) minutes
    target_deltas: dict[tuple[int, int, str], timedelta] = field(default_factory=dict)
    specs: dict[int, object] = field(default_factory=dict)  # sla id -> memoised CalendarSpec
    clocks: dict[int, BusinessClock] = field(default_factory=dict)  # sla id -> its calendar's clock
    assets: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # (site, kind) -> asset ids
    priority_cache: dict = field(default_factory=dict)
    period_cache: dict = field(default_factory=dict)
    site_names: dict[int, str] = field(default_factory=dict)
    group_names: dict[int, str] = field(default_factory=dict)  # support group id -> name (history names it)
    site_choice: Weighted | None = None
    staff_choice: dict[int, Weighted] = field(default_factory=dict)
    service_choice: Weighted | None = None

    def spec_for(self, sla_id: int):
        return self.specs[sla_id]

    def target_for(self, sla_id: int, priority: int, kind: str) -> timedelta:
        return self.target_deltas[(sla_id, priority, kind)]

    def priority(self, service: ServiceFacts, impact: str, urgency: str, when: datetime) -> tuple[int, str]:
        """catalogue.priority.priority_for's answer, asked in advance by priorities_prepare."""
        day = when.astimezone(self.tz).date()
        return self.priority_cache[(impact, urgency, service.id, self.period_cache[(service.id, day)])]

    def priorities_prepare(self) -> None:
        """Ask catalogue.priority.priority_for once per distinct answer (it reads the matrix each time),
        for every service, day of the window and impact x urgency, so the workers need no database."""
        from catalogue.critical_periods import active_period
        from catalogue.models import Impact, Urgency
        from catalogue.priority import priority_for

        day = (self.start - timedelta(days=1)).astimezone(self.tz).date()
        while day <= (self.now + timedelta(days=1)).astimezone(self.tz).date():
            noon = datetime.combine(day, datetime.min.time(), self.tz) + timedelta(hours=12)
            for service in self.services:
                period = active_period(list(service.model.critical_periods.all()), day)
                self.period_cache[(service.id, day)] = period.pk if period else None
                for impact in Impact.values:
                    for urgency in Urgency.values:
                        key = (impact, urgency, service.id, self.period_cache[(service.id, day)])
                        if key not in self.priority_cache:
                            decision = priority_for(
                                impact=impact, urgency=urgency, service=service.model, when=noon
                            )
                            self.priority_cache[key] = (decision.priority, decision.reason)
            day += timedelta(days=1)

    @property
    def tz(self):
        return next(iter(self.specs.values())).tz


def people_create(rng: random.Random, now: datetime) -> None:
    """157 staff at their sites (Table 1's computer users), five technicians in the support groups, and
    the ICT manager. One password hash for all (hashing is deliberately slow)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from catalogue.models import Service, SupportGroup
    from common import access as roles
    from sites.models import Site

    User = get_user_model()
    password = make_password(BENCH_PASSWORD, salt=f"mbashebench{rng.randrange(10**12)}")
    hub = Site.objects.order_by("table_order").first()
    joined = now - timedelta(days=800)
    people: list[tuple[object, str]] = []

    def person(username: str, role: str, site_id: int, department: str, job_title: str) -> None:
        first, last = rng.choice(demo_texts.FIRST_NAMES), rng.choice(demo_texts.LAST_NAMES)
        user = User(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@bench.mbashe.invalid",
            site_id=site_id,
            department=department,
            job_title=job_title,
            phone=f"047 489 {rng.randrange(1000, 9999)}",
            date_joined=joined,
        )
        people.append((user, role))

    number = 0
    for site in Site.objects.order_by("table_order", "name"):
        for _ in range(site.computer_users):
            number += 1
            person(
                f"staff{number:03d}",
                roles.STAFF,
                site.pk,
                rng.choice(demo_texts.DEPARTMENTS),
                rng.choice(demo_texts.JOB_TITLES),
            )
    for n in range(1, TECHNICIANS + 1):
        person(f"tech{n:02d}", roles.TECHNICIAN, hub.pk, "ICT", "ICT technician")
    person("manager", roles.MANAGER, hub.pk, "ICT", "ICT manager")
    User.objects.bulk_create([user for user, _ in people], batch_size=500)

    groups = {group.name: group.pk for group in Group.objects.filter(name__in=roles.ROLES)}
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=groups[role]) for user, role in people]
    )
    technicians = {user.username: user.pk for user, role in people if role == roles.TECHNICIAN}
    manager = next(user.pk for user, role in people if role == roles.MANAGER)
    Through = SupportGroup.members.through
    rows = []
    for group in SupportGroup.objects.order_by("pk"):
        staffing = GROUP_STAFFING.get(group.name) or tuple(range(1, TECHNICIANS + 1))
        members = [technicians[f"tech{n:02d}"] for n in staffing]
        rows += [Through(supportgroup_id=group.pk, user_id=member) for member in members]
        SupportGroup.objects.filter(pk=group.pk).update(lead_id=members[0])
    Through.objects.bulk_create(rows)
    Service.objects.filter(owner__isnull=True).update(owner_id=manager)


def world_load(rng: random.Random, now: datetime, start: datetime | None = None) -> World:
    """Everything the tickets are drawn from, for tickets logged from `start` (default: a year before now)."""
    from django.contrib.auth import get_user_model

    from catalogue.models import Lifecycle, Service, SupportGroup
    from common import access as roles
    from sites.models import Asset, AssetType, Site
    from slas.agreements import NoAgreement, sla_for_service
    from slas.calendars import calendar_spec
    from slas.models import ClockKind, ServiceLevelAgreement, SlaTarget

    User = get_user_model()
    sites = [
        # The Pound has no computer users but a building and network points: a few tickets come from it.
        (site.pk, site.name, float(max(site.computer_users, 1)))
        for site in Site.objects.order_by("table_order", "name")
    ]
    staff_by_site: dict[int, list[int]] = {}
    staff_index: dict[int, int] = {}
    for pk, site_id in (
        User.objects.filter(groups__name=roles.STAFF).order_by("username").values_list("pk", "site_id")
    ):
        staff_index[pk] = len(staff_by_site.setdefault(site_id, []))
        staff_by_site[site_id].append(pk)
    # Some people log many more tickets than others.
    staff_weights = {
        site_id: [rng.lognormvariate(0, 0.5) for _ in people] for site_id, people in staff_by_site.items()
    }
    members = {
        group.pk: sorted(member.pk for member in group.members.all())
        for group in SupportGroup.objects.prefetch_related("members")
    }
    desk_group = SupportGroup.objects.filter(name="Service Desk").first()
    desk = members.get(desk_group.pk) if desk_group else None
    desk = desk or sorted({pk for group in members.values() for pk in group})
    usernames = dict(User.objects.values_list("pk", "username"))

    services = []
    for service in Service.objects.filter(status=Lifecycle.LIVE).prefetch_related("critical_periods"):
        try:
            sla = sla_for_service(service.pk)
        except NoAgreement:
            sla = None
        if not members.get(service.support_group_id):
            continue  # nobody could take its tickets
        services.append(
            ServiceFacts(
                id=service.pk,
                name=service.name,
                group_id=service.support_group_id,
                kinds=service.kinds,
                model=service,
                sla_id=sla.pk if sla else None,
                sla_name=sla.name if sla else "",
                weight=SERVICE_WEIGHTS.get(service.name, 3),
            )
        )
    targets = {
        (sla_id, priority): (response, resolution)
        for sla_id, priority, response, resolution in SlaTarget.objects.values_list(
            "sla_id", "priority", "response_minutes", "resolution_minutes"
        )
    }
    world = World(
        now=now,
        start=start or now - timedelta(days=365),
        sites=sites,
        staff_by_site=staff_by_site,
        staff_weights=staff_weights,
        staff_index=staff_index,
        members=members,
        desk=desk,
        usernames=usernames,
        services=services,
        targets=targets,
    )
    for (sla_id, priority), (response, resolution) in targets.items():
        world.target_deltas[(sla_id, priority, ClockKind.RESPONSE)] = timedelta(minutes=response)
        world.target_deltas[(sla_id, priority, ClockKind.RESOLUTION)] = timedelta(minutes=resolution)
    clocks = {}
    for sla in ServiceLevelAgreement.objects.all():
        world.specs[sla.pk] = memoised(calendar_spec(sla.calendar_id))
        if sla.calendar_id not in clocks:
            clocks[sla.calendar_id] = BusinessClock(
                world.specs[sla.pk], world.start - timedelta(days=7), now + timedelta(days=400)
            )
        world.clocks[sla.pk] = clocks[sla.calendar_id]
    world.priorities_prepare()
    world.site_names = {pk: name for pk, name, _ in sites}
    world.group_names = dict(SupportGroup.objects.values_list("pk", "name"))
    world.site_choice = Weighted(*[(pk, weight) for pk, _, weight in sites])
    world.staff_choice = {
        site_id: Weighted(*zip(people, staff_weights[site_id], strict=True))
        for site_id, people in staff_by_site.items()
    }
    world.service_choice = Weighted(*[(service, service.weight) for service in services])
    computers = (AssetType.DESKTOP, AssetType.LAPTOP)
    for pk, site_id, kind in Asset.objects.order_by("pk").values_list("pk", "site_id", "type"):
        world.assets.setdefault((site_id, "computer" if kind in computers else kind), []).append(pk)
    return world


# --- living the tickets ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _auto_close_day(resolved_on: date) -> date:
    """The day tickets_auto_close (beat, every 15 minutes) closes a ticket resolved on `resolved_on`: the
    day after the AUTO_CLOSE_WORKING_DAYS-th working day after it."""
    from incidents.services import auto_close_day

    return auto_close_day(resolved_on)


def _next_auto_close(resolved_at: datetime, tz) -> datetime:
    return datetime.combine(_auto_close_day(resolved_at.astimezone(tz).date()), datetime.min.time(), tz)


class Life:
    """The scenarios: which verbs a ticket goes through, and when, for each status it should reach."""

    def __init__(self, world: World, rng: random.Random, ticket, service: ServiceFacts):
        from bench.ticket_life import REQUESTER, SUPPORT

        self.world, self.rng, self.t, self.service = world, rng, ticket, service
        self.spec = world.specs[ticket.sla_id] if ticket.sla_id else next(iter(world.specs.values()))
        self.clock = world.clocks[ticket.sla_id] if ticket.sla_id else next(iter(world.clocks.values()))
        self.SUPPORT, self.REQUESTER = SUPPORT, REQUESTER
        self.group_members = world.members[service.group_id]
        self.tech = rng.choice(self.group_members)
        if ticket.sla_id:
            self.response_target, self.resolution_target = world.targets[(ticket.sla_id, ticket.priority)]
        else:
            self.response_target, self.resolution_target = 240, 1530

    def add(self, at: datetime, minutes: float) -> datetime:
        return self.clock.add(at, max(minutes, 0.5))

    def lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(self.rng.gauss(0, sigma))

    # --- building blocks -------------------------------------------------------------------------------

    def reply(self, at: datetime, by: int | None = None) -> None:
        self.t.comment(at, by or self.tech, self.SUPPORT, self.rng.choice(texts.TECH_REPLIES))

    def requester_says(self, at: datetime) -> None:
        self.t.comment(at, self.t.requester_id, self.REQUESTER, self.rng.choice(texts.REQUESTER_REPLIES))

    def note(self, at: datetime, by: int | None = None) -> None:
        self.t.comment(at, by or self.tech, self.SUPPORT, texts.internal_note_for(self.rng), internal=True)

    def resolve(self, at: datetime, *, first_contact: bool = False) -> None:
        code = RESOLUTION_CODES.draw(self.rng)
        self.t.change_status(
            at,
            "resolved",
            self.tech,
            self.SUPPORT,
            resolution_code=code,
            resolution_note=self.rng.choice(texts.RESOLUTION_NOTES),
            first_contact=first_contact,
        )

    def respond_and_start(self, t0: datetime) -> datetime:
        """The technician takes the ticket, then starts work or replies first (either is the response)."""
        response = self.lognormal(0.45 * self.response_target, 0.8)
        taken = self.add(t0, response * 0.6)
        self.t.assign(taken, self.tech, self.tech)
        responded = self.add(t0, response)
        if self.rng.random() < 0.65:
            self.t.change_status(responded, "in_progress", self.tech, self.SUPPORT)
            replied = self.add(responded, self.rng.uniform(10, 240))
            self.reply(replied)
        else:
            self.reply(responded)
            replied = responded
            self.t.change_status(
                self.add(replied, self.rng.uniform(5, 120)), "in_progress", self.tech, self.SUPPORT
            )
        return self.t.last_at

    def handover(self, at: datetime) -> None:
        others = [pk for pk in self.world.members[self.service.group_id] if pk != self.tech]
        if others:
            other = self.rng.choice(others)
            self.t.assign(at, self.tech, other)
            self.tech = other

    # --- the scenarios ---------------------------------------------------------------------------------

    def stays_new(self) -> None:
        at = self.add(self.t.created_at, self.rng.uniform(60, 2000))
        self.requester_says(at)
        at = self.add(at, self.rng.uniform(10, 600))
        self.note(at, self.rng.choice(self.world.desk))
        self.requester_says(self.add(at, self.rng.uniform(60, 2000)))

    def stays_assigned(self) -> None:
        response = self.lognormal(0.45 * self.response_target, 0.8)
        at = self.add(self.t.created_at, response * 0.6)
        self.t.assign(at, self.tech, self.tech)
        at = self.add(at, self.rng.uniform(10, 300))
        self.note(at)
        at = self.add(at, self.rng.uniform(60, 1500))
        self.requester_says(at)
        self.note(self.add(at, self.rng.uniform(10, 600)))

    def stays_in_progress(self) -> None:
        at = self.respond_and_start(self.t.created_at)
        at = self.add(at, self.rng.uniform(15, 480))
        self.requester_says(at)
        if self.rng.random() < 0.08:
            at = self.add(at, self.rng.uniform(30, 480))
            self.handover(at)
        self.note(self.add(at, self.rng.uniform(10, 600)))

    def stays_pending(self) -> None:
        at = self.respond_and_start(self.t.created_at)
        if self.rng.random() < 0.6:
            at = self.add(at, self.rng.uniform(5, 120))
            self.note(at)
            at = self.add(at, self.rng.uniform(1, 30))
            self.t.change_status(at, "pending", self.tech, self.SUPPORT, pending_reason="user")
            self.reply(self.add(at, self.rng.uniform(510, 1530)))  # a reminder; the ticket stays waiting
        else:
            at = self.add(at, self.rng.uniform(15, 480))
            self.requester_says(at)
            at = self.add(at, self.rng.uniform(5, 60))
            self.t.change_status(at, "pending", self.tech, self.SUPPORT, pending_reason="third_party")
            self.note(self.add(at, self.rng.uniform(5, 60)))

    def first_contact(self) -> None:
        """A call or walk-in fixed while the person waits; they say thanks afterwards."""
        desk = self.t.logged_by_id
        self.tech = desk
        at = self.t.created_at + timedelta(minutes=self.rng.uniform(1, 4))
        self.t.assign(at, desk, desk)
        at += timedelta(minutes=self.rng.uniform(2, 8))
        self.reply(at, desk)
        at += timedelta(minutes=self.rng.uniform(1, 5))
        self.note(at, desk)
        at += timedelta(minutes=self.rng.uniform(1, 10))
        self.resolve(at, first_contact=True)
        self.requester_says(self.add(at, self.rng.uniform(10, 600)))
        self.after_resolution(self.t.resolved_at)

    def worked(self, *, stop_at_reopen: bool = False) -> None:
        """The usual life: taken, responded to, worked (maybe waiting, maybe handed over), resolved,
        maybe reopened, closed by the requester or automatically, rated about half the time."""
        t0 = self.t.created_at
        resolution = max(self.lognormal(0.5 * self.resolution_target, 0.7), 0.3 * self.response_target + 30)
        at = self.respond_and_start(t0)
        paused = 0.0
        noted = False
        if self.rng.random() < 0.2:
            if self.rng.random() < 0.6:
                waited = self.rng.uniform(30, 1500)
                at = self.add(at, self.rng.uniform(1, 30))
                self.t.change_status(at, "pending", self.tech, self.SUPPORT, pending_reason="user")
                at = self.add(at, waited)
                self.requester_says(at)  # resumes the ticket
            else:
                waited = self.rng.uniform(240, 2550)
                at = self.add(at, self.rng.uniform(15, 480))
                self.requester_says(at)
                at = self.add(at, self.rng.uniform(5, 60))
                self.t.change_status(at, "pending", self.tech, self.SUPPORT, pending_reason="third_party")
                self.note(self.add(at, self.rng.uniform(5, 60)))
                noted = True
                at = self.add(at, waited)
                self.t.change_status(at, "in_progress", self.tech, self.SUPPORT)
            paused = waited
        else:
            at = self.add(at, self.rng.uniform(15, 480))
            self.requester_says(at)
        if self.rng.random() < 0.08:
            at = self.add(at, self.rng.uniform(30, 480))
            self.handover(at)
        if not noted:
            at = self.add(at, self.rng.uniform(10, 600))
            self.note(at)
        resolved = max(self.add(at, self.rng.uniform(10, 120)), self.add(t0, resolution + paused))
        self.resolve(resolved)
        if self.rng.random() < (1.0 if stop_at_reopen else 0.04):
            at = self.add(resolved, self.rng.uniform(30, 1500))
            self.t.change_status(
                at, "reopened", self.t.requester_id, self.REQUESTER, note="It is still not working."
            )
            if stop_at_reopen:
                return
            at = self.add(at, self.rng.uniform(30, 480))
            self.t.change_status(at, "in_progress", self.tech, self.SUPPORT)
            self.resolve(self.add(at, self.rng.uniform(30, 1000)))
        self.after_resolution(self.t.resolved_at)

    def after_resolution(self, resolved: datetime) -> None:
        tz = self.spec.tz
        closes = _next_auto_close(resolved, tz) + timedelta(minutes=self.rng.uniform(0, 15))
        closed_by_requester = None
        since = self.t.last_at  # the requester may have replied after the resolution
        if self.rng.random() < 0.3:
            confirmed = self.add(since, self.rng.uniform(10, 1200))
            if confirmed < closes:
                closes, closed_by_requester = confirmed, self.t.requester_id
        rated = None
        if self.rng.random() < 0.5:
            rated = self.add(since, self.rng.uniform(5, 1500))
        steps = [(closes, "close")] + ([(rated, "rate")] if rated else [])
        for at, step in sorted(steps):
            if step == "close":
                if closed_by_requester:
                    self.t.change_status(at, "closed", closed_by_requester, self.REQUESTER)
                else:
                    self.t.change_status(at, "closed", None, "system", note="closed automatically")
            else:
                score = SCORES.draw(self.rng)
                words = self.rng.choice(texts.RATING_COMMENTS) if self.rng.random() < 0.3 else ""
                self.t.rate(at, score, words, via_link=self.rng.random() < 0.7)


# --- clocks, as the engine derives and the sweep leaves them ---------------------------------------------


def history_points(events: list[tuple]):
    """incidents.service_levels.history_points over the in-memory history (same rules, same order)."""
    from incidents.models import Status, TicketEvent
    from incidents.service_levels import CLOCK_EVENTS
    from slas.clocks import HistoryPoint

    Kind = TicketEvent.Kind
    clock_events = set(CLOCK_EVENTS)
    status, priority, sla_id, responded = Status.NEW, None, None, False
    points = []
    for kind, _actor, at, field_name, _old, new, _note, _internal in events:
        if kind not in clock_events:
            continue
        if kind in (Kind.LOGGED, Kind.STATUS):
            status = new
        elif kind == Kind.PRIORITY and field_name == "priority":
            priority = int(new.lstrip("P"))
        elif kind == Kind.SLA:
            sla_id = int(new) if new else None
        elif kind == Kind.RESPONDED:
            responded = True
        else:
            continue
        if priority is None or sla_id is None:
            continue
        point = HistoryPoint(
            at=at,
            sla_id=sla_id,
            priority=priority,
            paused=status == Status.PENDING,
            resolved=status in (Status.RESOLVED, Status.CLOSED),
            responded=responded,
        )
        if points and points[-1].at == at:
            points[-1] = point
        else:
            points.append(point)
    return points


def clocks_for(ticket, world: World, rng: random.Random):
    """(clock rows, SLA event rows, response due, resolution due) for one lived ticket: clocks_derive's
    result stored as clocks_update stores it, after the beat sweep recorded every warning and breach that
    fell due by now."""
    from slas.clocks import clocks_derive
    from slas.models import ClockState, SlaEvent

    points = history_points(ticket.events)
    if not points:
        return [], [], None, None
    results = clocks_derive(points, world.spec_for, world.target_for)
    clocks, events = [], []
    for kind, result in results.items():
        if result.state == ClockState.RUNNING:
            crossings = (
                (SlaEvent.Kind.WARNING, result.warn_at if result.warn_at <= world.now else None),
                (SlaEvent.Kind.BREACH, result.due_at if result.due_at <= world.now else None),
            )
        else:
            crossings = (
                (SlaEvent.Kind.WARNING, result.warned_at),
                (SlaEvent.Kind.BREACH, result.breached_at),
            )
        recorded = set()
        for event_kind, due in crossings:
            if due is not None:
                recorded.add(event_kind)
                seen = min(due + timedelta(seconds=rng.uniform(1, 30)), world.now)
                events.append((seen, ticket.id, kind, event_kind, due))
        next_event = None
        if result.state == ClockState.RUNNING:
            if SlaEvent.Kind.WARNING not in recorded:
                next_event = result.warn_at
            elif SlaEvent.Kind.BREACH not in recorded:
                next_event = result.due_at
        clocks.append(
            (
                ticket.id,
                kind,
                result.sla_id,
                result.priority,
                int(result.target.total_seconds() // 60),
                result.state,
                int(result.elapsed.total_seconds()),
                result.state_since,
                result.due_at,
                result.warn_at,
                result.breached_at,
                result.stopped_at,
                next_event,
            )
        )
    return clocks, events, results["response"].due_at, results["resolution"].due_at


CLOCK_FIELDS = [
    "ticket_id",
    "kind",
    "sla_id",
    "priority",
    "target_minutes",
    "state",
    "elapsed_seconds",
    "state_since",
    "due_at",
    "warn_at",
    "breached_at",
    "stopped_at",
    "next_event_at",
]


# --- the generator ---------------------------------------------------------------------------------------

TICKET_FIELDS = [
    "id",
    "kind",
    "summary",
    "description",
    "status",
    "pending_reason",
    "impact",
    "urgency",
    "priority",
    "priority_reason",
    "service_id",
    "site_id",
    "asset_id",
    "request_answers",
    "requester_id",
    "logged_by_id",
    "channel",
    "group_id",
    "assignee_id",
    "handovers",
    "parent_id",
    "is_major",
    "resolution_code",
    "resolution_note",
    "first_contact",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "sla_id",
    "response_due_at",
    "resolution_due_at",
    "outage_paused_minutes",
    "version",
]


def ticket_row(
    t, response_due, resolution_due, parent_id: int | None = None, is_major: bool = False
) -> tuple:
    """A lived ticket as a row in TICKET_FIELDS' order (the benchmark and the demo history load the same
    rows)."""
    return (
        t.id,
        t.kind,
        t.summary,
        t.description,
        t.status,
        t.pending_reason,
        t.impact,
        t.urgency,
        t.priority,
        t.priority_reason,
        t.service_id,
        t.site_id,
        t.asset_id,
        {},
        t.requester_id,
        t.logged_by_id,
        t.channel,
        t.group_id,
        t.assignee_id,
        t.handovers,
        parent_id,
        is_major,
        t.resolution_code,
        t.resolution_note,
        t.first_contact,
        t.created_at,
        t.updated_at,
        t.first_response_at,
        t.resolved_at,
        t.closed_at,
        t.reopen_count,
        t.sla_id,
        response_due,
        resolution_due,
        0,  # the benchmark records no outages: no clock time is taken out for them
        t.version,
    )


EVENT_FIELDS = ["at", "ticket_id", "kind", "actor_id", "field", "old_value", "new_value", "note", "internal"]
COMMENT_FIELDS = ["created_at", "ticket_id", "author_id", "body", "internal"]
RATING_FIELDS = ["rated_at", "ticket_id", "score", "comment", "via_link"]
SLA_EVENT_FIELDS = ["recorded_at", "ticket_id", "clock", "kind", "due_at"]
CHUNK = 1000  # tickets per random stream: the same data whatever the number of processes
BATCH = 5  # chunks per worker task (one transaction of COPYs)


def tables() -> dict[str, tuple]:
    """Each loaded table: its model, the fields the generator fills (the database numbers the others'
    rows) and whether its rows go in in time order. Tickets carry their ids (rows of other tables name
    them); history, comments, ratings and SLA events are written in the order they happened, as the live
    system writes them, so a ticket's history is spread over its table the way it really is."""
    from incidents.models import Comment, SatisfactionRating, Ticket, TicketEvent
    from slas.models import SlaClock, SlaEvent

    return {
        "tickets": (Ticket, TICKET_FIELDS, False),
        "ticket events": (TicketEvent, EVENT_FIELDS, True),
        "comments": (Comment, COMMENT_FIELDS, True),
        "ratings": (SatisfactionRating, RATING_FIELDS, True),
        "SLA clocks": (SlaClock, CLOCK_FIELDS, False),
        "SLA events": (SlaEvent, SLA_EVENT_FIELDS, True),
    }


def lives_insert(world: World, lives: list, rng: random.Random) -> None:
    """Write lived tickets with plain INSERTs (any database): the same rows live_batch COPYs in, for small
    loads and for the test that compares them with what the services write (tests/bench/)."""
    from django.db import connection

    rows: dict[str, list] = {name: [] for name in tables()}
    for t in lives:
        clocks, sla_events, response_due, resolution_due = clocks_for(t, world, rng)
        rows["tickets"].append(ticket_row(t, response_due, resolution_due))
        rows["ticket events"] += [
            (at, t.id, kind, actor, name, old, new, note, internal)
            for kind, actor, at, name, old, new, note, internal in t.events
        ]
        rows["comments"] += [(at, t.id, author, body, internal) for author, body, internal, at in t.comments]
        if t.rating:
            score, words, at, via_link = t.rating
            rows["ratings"].append((at, t.id, score, words, via_link))
        rows["SLA clocks"] += clocks
        rows["SLA events"] += sla_events
    for name, (model, columns, by_time) in tables().items():
        table = rows[name]
        if by_time:
            table.sort(key=itemgetter(0))  # stable: the rows of one change keep their order
        if not table:
            continue
        fields = [model._meta.get_field(column) for column in columns]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (model and field names only)
            quote(model._meta.db_table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join(["%s"] * len(fields)),
        )
        prepared = [
            tuple(field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True))
            for row in table
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)


def plan(world: World, count: int, seed: int) -> list[tuple[datetime, bool, float]]:
    """Every ticket's logging time (most inside office hours), sorted: ids follow time, as in real life."""
    rng = stream(seed, "plan")
    office = next(iter(world.clocks.values()))
    span = (world.now - world.start).total_seconds()
    drafts = []
    for _ in range(count):
        in_hours = rng.random() < 0.88
        if in_hours:
            created = office.draw(rng, world.start, world.now)
        else:
            created = world.start + timedelta(seconds=rng.uniform(0, span))
        drafts.append((created.replace(microsecond=0), in_hours, rng.random()))
    drafts.sort(key=itemgetter(0))
    return drafts


def open_share(age_days: float) -> float:
    """The chance a ticket of this age is still open (about a fifth of a year's tickets)."""
    return 0.09 + 0.6 * math.exp(-age_days / 60)


def live_one(
    world: World,
    r: random.Random,
    ticket_id: int,
    created: datetime,
    in_hours: bool,
    draw: float,
    stays_open_odds=open_share,
):
    """Draw one ticket's facts and live it through; returns the TicketLife. `stays_open_odds(age in
    days)` is the chance it is meant to be still open now."""
    from bench.ticket_life import Horizon, TicketLife

    site_id = world.site_choice.draw(r)
    if world.staff_by_site.get(site_id):
        requester = world.staff_choice[site_id].draw(r)
    else:
        requester = r.choice(world.staff_by_site[world.sites[0][0]])  # the Pound logs from the hub
    service = world.service_choice.draw(r)
    if "incident" in service.kinds and (len(service.kinds) == 1 or r.random() < 0.65):
        kind = "incident"
    else:
        kind = "request"
    channel = CHANNELS.draw(r) if in_hours else "web"
    logged_by = requester if channel == "web" else r.choice(world.desk)
    impact = "high" if service.name == "Site network link" and r.random() < 0.7 else IMPACTS.draw(r)
    urgency = URGENCIES.draw(r)
    priority, reason = world.priority(service, impact, urgency, created)
    asset_id = None
    asset_kind = SERVICE_ASSET.get(service.name)
    if asset_kind and r.random() < 0.5:
        candidates = world.assets.get((site_id, asset_kind), [])
        position = world.staff_index.get(requester, -1)
        if asset_kind == "computer" and 0 <= position < len(candidates):
            asset_id = candidates[position]  # their own computer
        elif candidates:
            asset_id = r.choice(candidates)
    ticket = TicketLife(
        id=ticket_id,
        kind=kind,
        summary=texts.summary_for(r, service.name, world.site_names[site_id]),
        description=texts.description_for(r),
        impact=impact,
        urgency=urgency,
        priority=priority,
        priority_reason=reason[:300],
        service_id=service.id,
        site_id=site_id,
        asset_id=asset_id,
        requester_id=requester,
        logged_by_id=logged_by,
        channel=channel,
        group_id=service.group_id,
        sla_id=service.sla_id,
        sla_name=service.sla_name,
        created_at=created,
        now=world.now,
        usernames=world.usernames,
        group_name=world.group_names.get(service.group_id, ""),
    )
    age_days = (world.now - created).total_seconds() / 86400
    # About a fifth end up open: most of the young ones, a few old stragglers.
    stays_open = draw < stays_open_odds(age_days)
    life = Life(world, r, ticket, service)
    ticket.log()
    try:
        if stays_open:
            target = (OPEN_OLD if age_days > 30 else OPEN_YOUNG).draw(r)
            if target == "reopened":
                life.worked(stop_at_reopen=True)
            else:
                getattr(life, f"stays_{target}")()
        elif channel in ("phone", "walk_in") and r.random() < 0.35 and logged_by in life.group_members:
            life.first_contact()  # by the one who took the call, when the ticket's group is theirs
        else:
            life.worked()
    except Horizon:
        pass  # the rest of its life has not happened yet
    return ticket


# The world and the plan, set before the worker processes fork (they inherit it instead of unpickling it).
_SHARED: dict = {}


def live_batch(batch: int) -> dict[str, int]:
    """Live BATCH chunks of CHUNK tickets (each chunk with its own random stream) and COPY their rows in,
    from this process's own database connection. Returns the rows written per table."""
    from django.db import connection, transaction

    world, drafts, seed = _SHARED["world"], _SHARED["drafts"], _SHARED["seed"]
    loaded = tables()
    formats = {name: database.CopyTable(model, fields) for name, (model, fields, _) in loaded.items()}
    out: dict[str, list] = {name: [] for name in loaded}
    first = batch * BATCH * CHUNK
    for index in range(first, min(len(drafts), first + BATCH * CHUNK)):
        if index % CHUNK == 0:
            r = stream(seed, "life", index // CHUNK)
        t = live_one(world, r, index + 1, *drafts[index])
        clocks, sla_events, response_due, resolution_due = clocks_for(t, world, r)
        out["tickets"].append(formats["tickets"].line(ticket_row(t, response_due, resolution_due)))
        # The two biggest tables, by hand (CopyTable.line, spelled out: three times faster), in the order
        # of EVENT_FIELDS and COMMENT_FIELDS.
        ticket_id = str(t.id)
        for kind, actor, at, field_name, old, new, note, internal in t.events:
            stamp = copy_datetime(at)
            out["ticket events"].append(
                (
                    at,
                    "\t".join(
                        (
                            stamp,
                            ticket_id,
                            kind,
                            NULL if actor is None else str(actor),
                            field_name,
                            copy_text(old),
                            copy_text(new),
                            copy_text(note),
                            "t" if internal else "f",
                        )
                    ),
                )
            )
        for author, body, internal, at in t.comments:
            line = "\t".join(
                (copy_datetime(at), ticket_id, str(author), copy_text(body), "t" if internal else "f")
            )
            out["comments"].append((at, line))
        if t.rating:
            score, words, at, via_link = t.rating
            out["ratings"].append((at, formats["ratings"].line((at, t.id, score, words, via_link))))
        out["SLA clocks"] += [formats["SLA clocks"].line(row) for row in clocks]
        out["SLA events"] += [(row[0], formats["SLA events"].line(row)) for row in sla_events]

    # Everything but the sending is done before waiting for this batch's turn.
    prepared, counts = [], {}
    for name, (_, _, by_time) in loaded.items():
        rows = out.pop(name)
        if by_time:
            rows.sort(key=itemgetter(0))  # stable: the rows of one change keep their order
            rows = [line for _, line in rows]
        prepared.append((formats[name], formats[name].text(rows)))
        counts[name] = len(rows)
    turn = _SHARED.get("turn")  # batches COPY in their order, so the database numbers rows the same way
    if turn is not None:
        with turn:
            turn.wait_for(lambda: _SHARED["next_batch"].value == batch)
    with transaction.atomic(), connection.cursor() as wrapper:
        for table, text in prepared:
            table.copy(wrapper.cursor, text)
    if turn is not None:
        with turn:
            _SHARED["next_batch"].value += 1
            turn.notify_all()
    connection.close()
    return counts


def live_and_write(
    world: World, drafts: list, seed: int, jobs: int, timings: dict, url: str
) -> dict[str, int]:
    """Live every ticket and COPY the rows in, from `jobs` forked processes at once (the same data for
    any number of jobs). The big tables' indexes and foreign keys are dropped first and rebuilt after."""
    from django.db import connections

    mark = time.perf_counter()

    loaded = tables()
    bulk = database.BulkLoad([model for model, _, _ in loaded.values()])
    bulk.drop()
    _SHARED.update(world=world, drafts=drafts, seed=seed)
    batches = range(math.ceil(len(drafts) / (CHUNK * BATCH)))
    counts = dict.fromkeys(loaded, 0)
    if jobs > 1:
        connections.close_all()  # a forked child must never share the parent's connection
        context = multiprocessing.get_context("fork")
        _SHARED.update(turn=context.Condition(), next_batch=context.Value("i", 0))
        with context.Pool(jobs) as pool:
            # In order: each batch is handed out before the next, so waiting for one's turn never deadlocks.
            parts = list(pool.imap(live_batch, batches))
    else:
        parts = [live_batch(batch) for batch in batches]
    for part in parts:
        for name, written in part.items():
            counts[name] += written
    timings[f"live and COPY ({jobs} processes)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    bulk.restore(url, connections=max(jobs, 1))
    with connections["default"].cursor() as cursor:
        for model, _, _ in loaded.values():
            database.sequence_reset(cursor, model)
    timings["indexes and foreign keys"] = time.perf_counter() - mark
    return counts


# --- checking against the real engine --------------------------------------------------------------------


def verify(world: World, seed: int, size: int = SAMPLE_SIZE) -> tuple[list[str], int]:
    """Re-derive a sample of tickets' clocks with the real engine and let the real sweep run at the
    generator's now, in a transaction that is rolled back; every stored figure must come out the same.
    Also recomputes each sampled ticket's priority with catalogue.priority.priority_for."""
    from django.db import transaction

    from catalogue.priority import priority_for
    from incidents.models import OPEN_STATUSES, Ticket
    from incidents.service_levels import ticket_clocks_refresh
    from slas.models import SlaClock, SlaEvent
    from slas.services import sla_sweep

    rng = stream(seed, "verify")
    open_ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    done_ids = list(Ticket.objects.exclude(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    wanted_open = min(len(open_ids), size * 3 // 5)
    ids = rng.sample(open_ids, wanted_open) + rng.sample(done_ids, min(len(done_ids), size - wanted_open))

    def snapshot():
        clocks = {
            (row[0], row[1]): row
            for row in SlaClock.objects.filter(ticket_id__in=ids).values_list(*CLOCK_FIELDS)
        }
        events = set(
            SlaEvent.objects.filter(ticket_id__in=ids).values_list("ticket_id", "clock", "kind", "due_at")
        )
        tickets = {
            row[0]: row
            for row in Ticket.objects.filter(pk__in=ids).values_list(
                "pk", "response_due_at", "resolution_due_at"
            )
        }
        return clocks, events, tickets

    before = snapshot()
    with transaction.atomic():
        for ticket in Ticket.objects.filter(pk__in=ids).order_by("pk"):
            ticket_clocks_refresh(ticket)
        sla_sweep(now=world.now)
        after = snapshot()
        transaction.set_rollback(True)

    problems = []
    for name, old, new in zip(("clocks", "SLA events", "tickets"), before, after, strict=True):
        if old != new:
            if isinstance(old, dict):
                keys = sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))
                for key in keys[:5]:
                    problems.append(f"{name} {key}: generated {old.get(key)} != engine {new.get(key)}")
                problems.append(f"{name}: {len(keys)} of {len(set(old) | set(new))} differ")
            else:
                problems.append(
                    f"{name}: only generated {sorted(old - new)[:3]}, only engine {sorted(new - old)[:3]}"
                )
    services = {service.id: service.model for service in world.services}
    for ticket in Ticket.objects.filter(pk__in=ids).order_by("pk"):
        decision = priority_for(
            impact=ticket.impact,
            urgency=ticket.urgency,
            service=services[ticket.service_id],
            when=ticket.created_at,
        )
        if (decision.priority, decision.reason) != (ticket.priority, ticket.priority_reason):
            problems.append(
                f"ticket {ticket.pk}: priority P{ticket.priority}, the rule says P{decision.priority}"
            )
    return problems, len(ids)


def extras_if_missing(name: str, seed: int) -> int:
    """A database loaded before bench/itsm.py existed gets its problems, changes, outages and articles
    (the tickets' now is the newest ticket's day: the records fall in the same year)."""
    from django.db.models import Max

    from bench import itsm
    from incidents.models import Ticket
    from problems.models import Problem

    if Problem.objects.exists():
        return 0
    newest = Ticket.objects.aggregate(at=Max("created_at"))["at"]
    extras = itsm.load(Ticket.objects.count(), seed, newest)
    print(f"{name}: added " + ", ".join(f"{key} {value:,}" for key, value in extras.items()))
    return 0


# --- command line ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", f"{database.SERVER}/servicedesk_bench_100k"),
    )
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="the instant the year of tickets ends (ISO 8601 with an offset; default: this minute); "
        "the same seed and --now give the same rows",
    )
    parser.add_argument("--recreate", action="store_true", help="drop the database first if it exists")
    parser.add_argument(
        "--if-missing", action="store_true", help="do nothing when the database already holds tickets"
    )
    parser.add_argument("--no-verify", action="store_true", help="skip the check against the real engine")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes living the tickets")
    args = parser.parse_args(argv)
    url = args.database_url
    name = database.check_bench_name(url)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    if args.recreate and database.database_exists(url):
        database.database_drop(url)
    if not database.database_exists(url):
        database.database_create(url)
    database.django_setup(url)

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from incidents.models import Ticket
    from sites.demo import demo_assets_load

    mark = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate"] = time.perf_counter() - mark
    if Ticket.objects.exists():
        if args.if_missing:
            print(
                f"{name} already holds {Ticket.objects.count():,} tickets: kept (--recreate loads it afresh)"
            )
            return extras_if_missing(name, args.seed)
        print(f"{name} already holds tickets; use --recreate to load it afresh.", file=sys.stderr)
        return 2

    mark = time.perf_counter()
    now = args.now or timezone.now().replace(second=0, microsecond=0)
    if timezone.is_naive(now):
        parser.error("--now needs a UTC offset, e.g. 2025-06-30T12:00:00+02:00")
    rng = stream(args.seed, "people")
    people_create(rng, now)
    demo_assets_load()
    world = world_load(rng, now)
    timings["people and assets"] = time.perf_counter() - mark

    mark = time.perf_counter()
    drafts = plan(world, args.tickets, args.seed)
    timings["plan"] = time.perf_counter() - mark
    try:
        counts = live_and_write(world, drafts, args.seed, args.jobs, timings, url)
    except BaseException:
        # Half loaded and without its foreign keys: no use to anyone. The next run starts afresh.
        from django.db import connections

        connections.close_all()
        try:
            database.database_drop(url)
            print(f"generation failed: {name} dropped", file=sys.stderr)
        except Exception as exc:  # e.g. PostgreSQL restarting under us; --recreate clears it next time
            print(
                f"generation failed and {name} could not be dropped ({exc}); use --recreate", file=sys.stderr
            )
        raise
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        # As autovacuum would leave it: visibility map set, statistics of every table (people too) fresh.
        cursor.execute("VACUUM (ANALYZE)")
    timings["VACUUM ANALYZE"] = time.perf_counter() - mark
    load_seconds = time.perf_counter() - started - timings["migrate"]

    problems: list[str] = []
    checked = 0
    if not args.no_verify:
        mark = time.perf_counter()
        problems, checked = verify(world, args.seed)
        timings["verify"] = time.perf_counter() - mark

    # Problems, changes, outages and articles: after the engine check (outages pause SLA clocks).
    from bench import itsm

    mark = time.perf_counter()
    extras = itsm.load(args.tickets, args.seed, now)
    timings["problems, changes, articles"] = time.perf_counter() - mark

    from django.db.models import Count

    statuses = dict(Ticket.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    open_share = sum(n for status, n in statuses.items() if status not in ("resolved", "closed")) / max(
        sum(statuses.values()), 1
    )
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu_seconds = sum(u.ru_utime + u.ru_stime for u in usage)
    summary = {
        "database": name,
        "tickets": args.tickets,
        "seed": args.seed,
        "generated_at": now.isoformat(),
        "rows": counts,
        "beside the tickets": extras,
        "statuses": statuses,
        "open_share": round(open_share, 3),
        "seconds": {key: round(value, 2) for key, value in timings.items()},
        "load_seconds_without_migrate": round(load_seconds, 2),
        "generator_cpu_seconds": round(cpu_seconds, 1),
        "load_average": os.getloadavg(),
        "verified_tickets": checked,
        "verify_problems": problems,
    }
    database.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (database.RESULTS_DIR / f"{name}.generate.json").write_text(json.dumps(summary, indent=2) + "\n")

    print(f"{name}: {args.tickets:,} tickets, seed {args.seed}, now {now:%Y-%m-%d %H:%M} UTC")
    for key, value in counts.items():
        print(f"  {key:<16} {value:>10,}")
    print("  beside them      " + ", ".join(f"{key} {value:,}" for key, value in extras.items()))
    print("  statuses         " + ", ".join(f"{status} {n:,}" for status, n in sorted(statuses.items())))
    print(f"  open share       {open_share:.1%}")
    for key, value in timings.items():
        print(f"  {key:<26} {value:6.1f} s")
    print(f"  load (without migrate) {load_seconds:.1f} s")
    print(f"  generator CPU          {cpu_seconds:.1f} s (its own processes; PostgreSQL's not counted)")
    print("  load average           " + " ".join(f"{value:.2f}" for value in os.getloadavg()))
    if not args.no_verify:
        if problems:
            print(f"  engine check: {len(problems)} problem(s) on {checked} tickets:")
            for problem in problems[:20]:
                print(f"    {problem}")
            return 1
        print(f"  engine check: {checked} tickets' clocks, SLA events and priorities match the real engine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
