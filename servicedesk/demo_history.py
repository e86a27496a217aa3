"""A few months of ticket history for the demo, lived through the product's own service functions.

Every ticket is logged, taken, answered, put on hold, resolved, reopened, rated and closed by the
verbs of incidents/services.py, each called at its instant of the past under a moving clock
(servicedesk/demo_clock.py): the history rows, SLA and OLA clocks, warnings and breaches (the beat
sweep runs at every instant one falls due), auto-close (every night) and outbox mails are what the
product itself wrote. The past queues no Celery work, and the mails it wrote are marked as never
delivered (sent_at set, no attempt, last_error says so): `make run` mails nobody about them.

The month reads like Mbashe's: the staff of Table 1 at the nine sites, four technicians, the stories of
servicedesk/demo_texts.py with the priority their words deserve, most tickets fixed within their
targets and a few not, a backlog of days, some waiting on the requester or a supplier, a reopen with
its reason, ratings mostly good, and last month's major incident (the Willowvale link).

Loaded once: when the database already holds tickets, nothing is added. The same seed and the same
"now" give the same tickets.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from catalogue.models import Service, SupportGroup
from common import access as roles
from common.models import Notification
from incidents import services
from incidents.models import Channel, PendingReason, Status, Ticket
from sites.models import Asset, AssetType, Site
from slas.agreements import sla_for_service, target_minutes
from slas.business_time import business_add, business_between
from slas.calendars import calendar_spec
from slas.models import ClockKind, SlaClock, Supplier
from slas.services import sla_sweep

from . import demo_texts as words
from .demo_clock import MovingClock, moving_clock

HISTORY_MONTHS = 4
DEFAULT_TICKETS = 600
DEFAULT_SEED = 2026
# How much longer than the hands-on work a ticket of each priority takes, waiting its turn.
QUEUE_FACTOR = {1: 1.0, 2: 1.5, 3: 4.0, 4: 8.0, 5: 12.0}
# ... and, for a job of an hour or more, at least this share of its resolution target.
QUEUE_SHARE = {1: 0.0, 2: 0.0, 3: 0.3, 4: 0.25, 5: 0.3}
UNDELIVERED = "Demo history: written for the past, never delivered."


@dataclass(frozen=True)
class HistoryResult:
    created: bool
    tickets: int
    start: datetime
    now: datetime


def stream(*name) -> random.Random:
    """A reproducible random stream, named by the seed and what it draws (demo data, never secrets)."""
    return random.Random(":".join(str(part) for part in name))  # noqa: S311


def month_start(moment: datetime, months_back: int) -> datetime:
    """00:00 local time on the 1st of the month `months_back` months before `moment`'s month."""
    local = timezone.localtime(moment)
    year, month = local.year, local.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


# --- the people -------------------------------------------------------------------------------------------


def demo_people(rng: random.Random) -> None:
    """Table 1's computer users at their sites (the demo `staff` user is one of Dutywa Main Building's)
    and three technicians beside the demo `technician`, when missing. They have no password: nobody signs
    in as them."""
    User = get_user_model()
    staff_group = Group.objects.get(name=roles.STAFF)
    existing = set(User.objects.values_list("username", flat=True))
    fresh = []
    for site in Site.objects.order_by("table_order", "name"):
        departments, titles = words.SITE_WORK.get(site.name, (words.DEPARTMENTS, words.JOB_TITLES))
        already = User.objects.filter(site=site, groups__name=roles.STAFF).exclude(
            username__startswith="demo."
        )
        for number in range(1, site.computer_users - already.count() + 1):
            username = f"demo.{site.table_order}.{number:02d}"
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
            department, title = rng.choice(departments), rng.choice(titles)
            if username in existing:
                continue
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.mbashe.invalid",
                site=site,
                department=department,
                job_title=title,
            )
            user.set_unusable_password()
            fresh.append(user)
    User.objects.bulk_create(fresh)
    staff_group.user_set.add(*User.objects.filter(username__in=[user.username for user in fresh]))

    technician_group = Group.objects.get(name=roles.TECHNICIAN)
    hub = Site.objects.order_by("table_order").first()
    for username, first, last, group_names in words.TECHNICIANS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.mbashe.invalid",
                "site": hub,
                "department": "ICT",
                "job_title": "ICT technician",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(technician_group)
            for group in SupportGroup.objects.filter(name__in=group_names):
                group.members.add(user)


# --- what the month is lived in ---------------------------------------------------------------------------


@dataclass
class Desk:
    """The facts every ticket's life reads: people, sites, services, agreements, assets, the calendar."""

    now: datetime
    clock: MovingClock
    spec: object
    sites: list[Site]
    staff: dict[int, list]  # site id -> its staff
    staff_weights: dict[int, list[float]]
    services: dict[str, Service]
    members: dict[int, list]  # support group id -> its technicians
    technicians: list
    targets: dict[tuple[int, int], tuple[int, int]]  # (service id, priority) -> (response, resolution)
    assets: dict[tuple[int, str], list[Asset]] = field(default_factory=dict)
    suppliers: dict[str, Supplier] = field(default_factory=dict)

    @classmethod
    def load(cls, rng: random.Random, now: datetime, clock: MovingClock) -> Desk:
        User = get_user_model()
        sites = [site for site in Site.objects.order_by("table_order", "name") if site.computer_users]
        staff: dict[int, list] = {}
        for user in User.objects.filter(groups__name=roles.STAFF).order_by("username"):
            staff.setdefault(user.site_id, []).append(user)
        # Some people log many more tickets than others; the demo `staff` user logs a few.
        weights = {
            site_id: [3.0 if user.username == "staff" else rng.lognormvariate(0, 0.6) for user in people]
            for site_id, people in staff.items()
        }
        services = {
            service.name: service
            for service in Service.objects.select_related("support_group").prefetch_related(
                "critical_periods", "request_fields"
            )
        }
        members = {
            group.pk: sorted(group.members.all(), key=lambda user: user.username)
            for group in SupportGroup.objects.prefetch_related("members")
        }
        technicians = sorted(
            {user for people in members.values() for user in people}, key=lambda u: u.username
        )
        targets = {}
        for story in (*words.STORIES, words.MAJOR):
            service = services[story.service]
            sla = sla_for_service(service.pk)
            for priority in range(1, 6):
                targets[(service.pk, priority)] = target_minutes(sla.pk, priority)
        spec = calendar_spec(sla_for_service(services[words.LINK].pk).calendar_id)
        desk = cls(now, clock, spec, sites, staff, weights, services, members, technicians, targets)
        computers = (AssetType.DESKTOP, AssetType.LAPTOP)
        for asset in Asset.objects.order_by("asset_tag"):
            kind = "computer" if asset.type in computers else asset.type
            desk.assets.setdefault((asset.site_id, kind), []).append(asset)
        desk.suppliers = {supplier.name: supplier for supplier in Supplier.objects.all()}
        return desk

    def later(self, minutes: float) -> datetime:
        """The instant `minutes` business minutes from the clock's (office hours: people work then)."""
        return business_add(self.spec, self.clock.at, timedelta(minutes=max(minutes, 1)))

    def soon(self, minutes: float) -> datetime:
        """The instant `minutes` wall-clock minutes from now (within one conversation)."""
        return self.clock.at + timedelta(minutes=max(minutes, 0.5))


# --- one ticket's life ------------------------------------------------------------------------------------


class Life:
    """One ticket from logging to closing, as a generator: each `yield` is the next instant it acts at."""

    def __init__(self, desk: Desk, rng: random.Random, created: datetime, in_hours: bool):
        self.desk, self.rng, self.created = desk, rng, created
        self.story = self._story()
        self.service = desk.services[self.story.service]
        self.site = self._site()
        people = desk.staff[self.site.pk]
        self.requester = rng.choices(people, weights=desk.staff_weights[self.site.pk])[0]
        self.group_members = desk.members[self.service.support_group_id]
        self.tech = self._technician()
        channels = ("web", "phone", "walk_in", "email") if in_hours else ("web",)
        walk_in = 0.12 if self.site.town == "Dutywa" else 0.0
        self.channel = rng.choices(channels, weights=(0.55, 0.3, walk_in, 0.05)[: len(channels)])[0]
        self.asset = self._asset()
        self.ticket: Ticket | None = None

    def _story(self) -> words.Story:
        return self.rng.choices(words.STORIES, weights=[story.weight for story in words.STORIES])[0]

    def _site(self) -> Site:
        return self.rng.choices(self.desk.sites, weights=[site.computer_users for site in self.desk.sites])[0]

    def _technician(self):
        # The demo `technician` (in every group) takes a fair share, not all.
        return self.rng.choice(self.group_members)

    def _asset(self) -> Asset | None:
        if not self.story.asset:
            return None
        found = self.desk.assets.get((self.site.pk, self.story.asset), [])
        if self.story.asset == "computer":
            people = self.desk.staff[self.site.pk]
            index = people.index(self.requester)
            return found[index] if index < len(found) else None
        return self.rng.choice(found) if found else None

    def text(self, line: str) -> str:
        return line.format(
            site=self.site.name,
            asset=self.asset.asset_tag if self.asset else "not readable",
            name=self.requester.first_name,
            tech=self.tech.first_name,
        )

    def answers(self) -> dict:
        if self.story.kind != words.REQUEST:
            return {}
        start = timezone.localdate(self.created) + timedelta(days=14)
        return {
            key: start.isoformat() if value == "{start_date}" else value
            for key, value in self.story.answers.items()
        }

    def targets(self) -> tuple[int, int]:
        return self.desk.targets[(self.service.pk, self.ticket.priority)]

    # --- the life ---------------------------------------------------------------------------------------

    def live(self) -> Iterator[datetime]:
        story, rng = self.story, self.rng
        in_call = self.channel in (Channel.PHONE, Channel.WALK_IN)
        if in_call and story.first_contact and rng.random() < 0.7:
            yield from self.first_contact()
            return
        self.log(logged_by=self.rng.choice(self.desk.technicians) if self.channel != Channel.WEB else None)
        response, resolution = self.targets()
        yield self.desk.later(min(self.lognormal(0.3 * response, 0.8), 1.3 * response, 600))
        services.ticket_take(ticket=self.ticket, by=self.tech)
        if rng.random() < 0.5:
            yield self.desk.soon(rng.uniform(1, 10))
            self.say(self.tech, rng.choice(words.ACKNOWLEDGEMENTS))
        yield self.desk.soon(rng.uniform(2, 20))
        self.status(Status.IN_PROGRESS)
        # Hands-on work plus the queue in front of it: quick jobs are done the same hour, a P4 or P5 waits
        # behind the others for a day or more; a late one now and then (the tail of the draw).
        queued = story.work_minutes * QUEUE_FACTOR[self.ticket.priority]
        if story.work_minutes >= 30:
            queued = max(queued, QUEUE_SHARE[self.ticket.priority] * resolution)
        work = self.lognormal(min(queued, 0.5 * resolution), 0.6)
        if story.question and rng.random() < 0.35:
            yield from self.wait_on_requester(work)
        if story.third_party and rng.random() < (0.8 if story.code == "fulfilled" else 0.35):
            yield from self.wait_on_third_party()
        if len(self.group_members) > 1 and rng.random() < 0.05:
            yield self.desk.later(rng.uniform(30, 240))
            self.tech = rng.choice([member for member in self.group_members if member != self.tech])
            services.ticket_assign(ticket=self.ticket, by=self.tech, assignee=self.tech)
        yield self.desk.later(work)
        self.resolve(self.text(story.resolution))
        yield from self.after_resolution()

    def first_contact(self) -> Iterator[datetime]:
        """A call or a walk-in fixed while the person waits: the desk's reply says what was done."""
        self.log(logged_by=self.tech)
        yield self.desk.soon(self.rng.uniform(1, 3))
        services.ticket_take(ticket=self.ticket, by=self.tech)
        yield self.desk.soon(self.rng.uniform(3, 12))
        self.say(self.tech, self.story.first_contact)
        yield self.desk.soon(self.rng.uniform(1, 3))
        self.resolve(self.text(self.story.resolution), first_contact=True)
        yield from self.after_resolution()

    def wait_on_requester(self, work: float) -> Iterator[datetime]:
        rng = self.rng
        yield self.desk.later(rng.uniform(0.2, 0.5) * work)
        # The question goes with the wait: the service makes it a public message and mails it.
        self.status(Status.PENDING, pending_reason=PendingReason.USER, note=self.text(self.story.question))
        # Business minutes: most answer the same day; some are out of the office for days.
        answered = self.lognormal(300, 1.0) if rng.random() < 0.7 else rng.uniform(1500, 5000)
        if answered > 2 * 510:
            yield self.desk.later(510)
            self.say(self.tech, rng.choice(words.REMINDERS))
            answered -= 510
        yield self.desk.later(answered)
        self.say(self.requester, self.story.answer)  # resumes the ticket

    def wait_on_third_party(self) -> Iterator[datetime]:
        rng = self.rng
        yield self.desk.later(rng.uniform(10, 90))
        self.say(self.tech, self.story.third_party, internal=True)
        yield self.desk.soon(2)
        supplier = self.desk.suppliers.get(self.story.supplier)
        self.status(Status.PENDING, pending_reason=PendingReason.THIRD_PARTY, supplier=supplier)
        long = self.story.code == "fulfilled"
        # Orders and contractors take days; a fault on a P1 or P2 is chased by the hour.
        waited = self.lognormal(2500 if long else 120 if self.ticket.priority <= 2 else 480, 0.6)
        if waited > 510:
            yield self.desk.later(rng.uniform(0.3, 0.6) * waited)
            self.say(self.tech, rng.choice(words.THIRD_PARTY_UPDATES))
        yield self.desk.later(waited * rng.uniform(0.4, 0.7) if waited > 510 else waited)
        self.status(Status.IN_PROGRESS, note="the supplier has done their part")

    def after_resolution(self) -> Iterator[datetime]:
        rng, story = self.rng, self.story
        if rng.random() < 0.04:
            yield self.desk.later(rng.uniform(60, 900))
            if not self.still(Status.RESOLVED):
                return
            reason = story.reopen or words.GENERIC_REOPEN
            services.ticket_change_status(
                ticket=self.ticket, to=Status.REOPENED, by=self.requester, note=reason
            )
            yield self.desk.later(rng.uniform(20, 180))
            self.status(Status.IN_PROGRESS)
            yield self.desk.later(self.lognormal(90, 0.5))
            self.resolve(f"{self.text(story.resolution)} Checked again with the user after the reopen.")
        if rng.random() < 0.25:
            yield self.desk.later(rng.uniform(5, 240))
            if self.still(Status.RESOLVED):
                self.say(self.requester, rng.choice(words.THANKS))
        if rng.random() < 0.15:
            yield self.desk.later(rng.uniform(10, 600))
            if self.still(Status.RESOLVED):
                services.ticket_change_status(ticket=self.ticket, to=Status.CLOSED, by=self.requester)
        if rng.random() < 0.45:
            yield self.desk.later(rng.uniform(10, 1500))
            self.rate()

    # --- the verbs, at the clock's instant ----------------------------------------------------------------

    def log(self, *, logged_by=None) -> None:
        story = self.story
        self.ticket = services.ticket_log(
            requester=self.requester,
            service=self.service,
            site=self.site,
            summary=self.text(story.summary),
            description=self.text(story.description),
            impact=story.impact,
            urgency=story.urgency,
            kind=story.kind,
            asset=self.asset,
            answers=self.answers(),
            channel=self.channel,
            logged_by=logged_by,
        )

    def say(self, by, line: str, *, internal: bool = False) -> None:
        services.ticket_comment(ticket=self.ticket, by=by, body=self.text(line), internal=internal)

    def status(self, to: str, **kwargs) -> None:
        services.ticket_change_status(ticket=self.ticket, to=to, by=self.tech, **kwargs)

    def resolve(self, note: str, *, first_contact: bool = False) -> None:
        self.status(
            Status.RESOLVED,
            resolution_code=self.story.code,
            resolution_note=note,
            first_contact=first_contact,
        )

    def still(self, status: str) -> bool:
        return Ticket.objects.filter(pk=self.ticket.pk, status=status).exists()

    def rate(self) -> None:
        """Mostly good; poor (with the requester's words) mostly when the fix came late."""
        rng = self.rng
        late = SlaClock.objects.filter(
            ticket_id=self.ticket.pk, kind=ClockKind.RESOLUTION, breached_at__isnull=False
        ).exists()
        if late and rng.random() < 0.6:
            score, comment = rng.choice((1, 2, 2, 3)), rng.choice(words.POOR_RATINGS)
        else:
            score = rng.choices((5, 4, 3), weights=(56, 34, 10))[0]  # a poor score comes with its words
            comment = rng.choice(words.GOOD_RATINGS) if score >= 4 else ""
        via_link = rng.random() < 0.7
        services.ticket_rate(
            ticket=self.ticket,
            by=None if via_link else self.requester,
            score=score,
            comment=self.text(comment),
            via_link=via_link,
        )

    def lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(self.rng.gauss(0, sigma))


class MajorIncident(Life):
    """Last month's Willowvale link outage: the P1 logged by phone, the tickets that followed it, linked
    as a major incident, one update to everyone, resolved by the provider in the afternoon."""

    def __init__(self, desk: Desk, rng: random.Random, created: datetime):
        super().__init__(desk, rng, created, in_hours=True)
        self.story = words.MAJOR
        self.service = desk.services[words.LINK]
        self.site = next(site for site in desk.sites if site.name == "Willowvale")
        self.requester = desk.staff[self.site.pk][0]
        self.group_members = desk.members[self.service.support_group_id]
        self.tech = next((m for m in self.group_members if m.username != "technician"), self.group_members[0])
        self.channel = Channel.PHONE
        self.asset = self._asset()

    def live(self) -> Iterator[datetime]:
        rng, desk = self.rng, self.desk
        desk_lead = next(user for user in desk.technicians if user.username == "technician")
        self.log(logged_by=desk_lead)
        yield desk.soon(4)
        services.ticket_take(ticket=self.ticket, by=self.tech)
        yield desk.soon(3)
        self.status(Status.IN_PROGRESS)
        children = []
        for number, (service_name, summary, impact, urgency) in enumerate(words.MAJOR_FOLLOWERS, start=1):
            yield desk.soon(rng.uniform(8, 20))
            children.append(
                services.ticket_log(
                    requester=desk.staff[self.site.pk][number],
                    service=desk.services[service_name],
                    site=self.site,
                    summary=summary,
                    description="Since load-shedding this morning nothing works at the Willowvale office.",
                    impact=impact,
                    urgency=urgency,
                )
            )
        yield desk.soon(10)
        self.say(self.tech, self.story.third_party, internal=True)
        yield desk.soon(2)
        self.status(
            Status.PENDING, pending_reason=PendingReason.THIRD_PARTY, supplier=desk.suppliers.get(words.MPLS)
        )
        yield desk.soon(5)
        services.major_incident_link(parent=self.ticket, children=children, by=desk_lead)
        yield desk.soon(5)
        services.major_incident_update(parent=self.ticket, by=self.tech, body=words.MAJOR_UPDATES[0])
        restored = timezone.localtime(self.created).replace(hour=14, minute=5)
        yield max(restored, desk.clock.at + timedelta(minutes=30))
        self.status(Status.IN_PROGRESS, note="the provider restored the link")
        yield desk.soon(15)
        self.resolve(self.story.resolution)
        yield desk.later(rng.uniform(30, 300))
        self.rate()


class RecurringFault:
    """Willowvale's printer queue that stalls after every power dip: three incidents in a week, each
    fixed by restarting the spooler; the beat task proposes them as one problem after the third, a
    technician accepts it, finds the root cause (the print server's UPS battery) and records the
    workaround; a fourth incident is resolved by a second technician with the known error's workaround
    in one step. The UPS battery waits on the supplier, so the problem stays a known error (problems/)."""

    PRINTING = "Printing, copying and scanning"
    SUMMARY = "Printer queue stalled again after the power dip"
    DESCRIPTION = (
        "After this morning's power dip nothing prints at the Willowvale office: jobs sit in the queue as "
        "'pending' and the printer itself shows ready."
    )
    FIX = "Restarted the print spooler on the Willowvale print server; the queued jobs printed."
    WORKAROUND = (
        "Restart the print spooler on the Willowvale print server (services.msc, Print Spooler, Restart), "
        "then ask the office to print one test page."
    )
    WORKAROUND_PUBLIC = (
        "Wait five minutes after the power returns before printing; if jobs still wait, call the desk."
    )
    ROOT_CAUSE = (
        "The print server's UPS battery no longer holds: every power dip restarts the server before the "
        "network is back, and the spooler starts with no printers."
    )
    FIX_PLAN = (
        "Replace the UPS battery at Willowvale (ordered from the supplier); set the spooler to delayed start."
    )

    def __init__(self, desk: Desk, rng: random.Random, created: datetime):
        self.desk, self.rng, self.created = desk, rng, created
        self.site = next(site for site in desk.sites if site.name == "Willowvale")
        self.service = desk.services[self.PRINTING]
        printers = desk.assets.get((self.site.pk, "printer"), [])
        self.asset = printers[0] if printers else None
        self.members = desk.members[self.service.support_group_id]
        self.tech = next((m for m in self.members if m.username != "technician"), self.members[0])
        self.second_tech = next((m for m in self.members if m != self.tech), self.tech)

    def _log(self, number: int) -> Ticket:
        people = self.desk.staff[self.site.pk]
        return services.ticket_log(
            requester=people[number % len(people)],
            service=self.service,
            site=self.site,
            summary=self.SUMMARY,
            description=self.DESCRIPTION,
            impact="medium",
            urgency="high",
            asset=self.asset,
            channel=Channel.PHONE,
            logged_by=self.tech,
        )

    def _fix(self, ticket: Ticket) -> Iterator[datetime]:
        yield self.desk.soon(self.rng.uniform(5, 15))
        services.ticket_take(ticket=ticket, by=self.tech)
        services.ticket_change_status(ticket=ticket, to=Status.IN_PROGRESS, by=self.tech)
        yield self.desk.soon(self.rng.uniform(20, 40))
        services.ticket_change_status(
            ticket=ticket, to=Status.RESOLVED, by=self.tech, resolution_code="fixed", resolution_note=self.FIX
        )

    def live(self) -> Iterator[datetime]:
        from problems import services as problems
        from problems.models import ProposalState, RecurrenceProposal

        tickets: list[Ticket] = []
        for number, working_days_later in enumerate((0, 2, 3)):
            if number:
                yield self.desk.later(working_days_later * 510 + self.rng.uniform(-60, 60))
            tickets.append(self._log(number))
            yield from self._fix(tickets[-1])
        yield self.desk.later(30)
        problems.recurrences_refresh(now=self.desk.clock.at)  # the beat task's turn
        proposal = (
            RecurrenceProposal.objects.filter(state=ProposalState.OPEN, tickets=tickets[-1])
            .order_by("pk")
            .first()
        )
        if proposal is None:
            return
        yield self.desk.later(90)
        problem = problems.proposal_accept(proposal=proposal, by=self.tech)
        yield self.desk.later(240)
        problems.problem_change_status(problem=problem, to="investigating", by=self.tech)
        yield self.desk.later(400)
        problems.problem_update(
            problem=problem,
            by=self.tech,
            changes={
                "summary": "Willowvale printer queue stalls after a power dip",
                "root_cause": self.ROOT_CAUSE,
                "root_cause_category": "power",
                "workaround": self.WORKAROUND,
                "workaround_public": self.WORKAROUND_PUBLIC,
                "permanent_fix": self.FIX_PLAN,
            },
        )
        yield self.desk.later(4 * 510)
        fourth = self._log(3)
        yield self.desk.soon(self.rng.uniform(5, 15))
        services.ticket_take(ticket=fourth, by=self.second_tech)
        problems.known_error_apply(problem=problem, ticket=fourth, by=self.second_tech)


# --- the month --------------------------------------------------------------------------------------------


def _creation_times(
    desk: Desk, rng: random.Random, start: datetime, count: int
) -> list[tuple[datetime, bool]]:
    """Each ticket's logging instant, sorted: nine in ten in office hours, the rest at any hour (by web)."""
    open_seconds = business_between(desk.spec, start, desk.now).total_seconds()
    span = (desk.now - start).total_seconds()
    times = []
    for _ in range(count):
        if rng.random() < 0.9:
            at = business_add(desk.spec, start, timedelta(seconds=rng.uniform(0, open_seconds)))
            times.append((at.replace(microsecond=0), True))
        else:
            times.append(((start + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0), False))
    times.sort()
    return [(at, in_hours) for at, in_hours in times if at < desk.now]


def _major_incident_day(now: datetime, desk: Desk) -> datetime:
    """09:20 on the first working Tuesday from the 10th of last month."""
    day = timezone.localtime(month_start(now, 1)).date() + timedelta(days=9)
    while day.weekday() != 1 or not desk.spec.intervals_on(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(9, 20), desk.spec.tz)


def _nights(start: datetime, end: datetime, tz) -> Iterator[datetime]:
    """00:10 local on every day from start to end: when beat's auto-close has closed what is due."""
    day: date = start.astimezone(tz).date() + timedelta(days=1)
    while (at := datetime.combine(day, time(0, 10), tz)) <= end:
        yield at
        day += timedelta(days=1)


def sweep_until(clock: MovingClock, until: datetime) -> None:
    """The beat sweep at every instant a warning or breach fell due up to `until` (recorded on time)."""
    while True:
        due = SlaClock.objects.filter(next_event_at__lte=until).aggregate(first=Min("next_event_at"))["first"]
        if due is None:
            return
        clock.set(max(due, clock.at))
        sla_sweep(now=clock.at)


def _run(desk: Desk, lives: list[tuple[datetime, Iterator[datetime]]]) -> None:
    """Every life and every night's auto-close in time order, with the SLA sweep between them, until now."""
    clock, order = desk.clock, itertools.count()
    queue = [(at, next(order), life) for at, life in lives]
    queue += [(at, next(order), None) for at in _nights(desk.clock.at, desk.now, desk.spec.tz)]
    heapq.heapify(queue)
    while queue and queue[0][0] <= desk.now:
        at, _, life = heapq.heappop(queue)
        sweep_until(clock, at)
        clock.set(max(at, clock.at))
        if life is None:
            services.tickets_auto_close(now=clock.at)
            continue
        try:
            following = next(life)
        except StopIteration:
            continue
        heapq.heappush(queue, (max(following, clock.at), next(order), life))
    sweep_until(clock, desk.now)
    clock.set(desk.now)


@transaction.atomic
def demo_history_load(
    *, tickets: int = DEFAULT_TICKETS, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> HistoryResult:
    """Live `tickets` tickets logged from the 1st of the month HISTORY_MONTHS months ago until now through
    the services, unless the database holds tickets already. Needs the demo users
    (servicedesk.demo.demo_data_load)."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    start = month_start(now, HISTORY_MONTHS)
    if Ticket.objects.exists():
        return HistoryResult(created=False, tickets=Ticket.objects.count(), start=start, now=now)
    demo_people(stream(seed, "demo people"))
    from .demo_outages import demo_outages_load

    demo_outages_load(start=start, now=now, seed=seed)  # before the tickets: their clocks see the outages
    mails_before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    with moving_clock(start) as clock:
        desk = Desk.load(stream(seed, "demo desk"), now, clock)
        lives: list[tuple[datetime, Iterator[datetime]]] = []
        major_at = _major_incident_day(now, desk)
        major = 1 + len(words.MAJOR_FOLLOWERS)
        if tickets > major and major_at < now:
            lives.append((major_at, MajorIncident(desk, stream(seed, "major"), major_at).live()))
            tickets -= major
        # Three weeks before the major incident: the problem's story is over by last month's report.
        recurring_at = major_at - timedelta(days=21, minutes=40)
        if tickets > major + 4 and recurring_at > start:
            lives.append((recurring_at, RecurringFault(desk, stream(seed, "recurring"), recurring_at).live()))
            tickets -= 4
        times = _creation_times(desk, stream(seed, "demo plan"), start, tickets)
        for number, (created, in_hours) in enumerate(times, start=1):
            lives.append((created, Life(desk, stream(seed, "demo life", number), created, in_hours).live()))
        _run(desk, lives)
    Notification.objects.filter(pk__gt=mails_before, sent_at__isnull=True).update(
        sent_at=F("created_at"), last_error=UNDELIVERED
    )
    # The dashboard only reads stored figures (beat counts them): count them now, so the demo's first
    # dashboard, this month's and last month's, shows its figures at once.
    from reports.services import stored_reports_count

    stored_reports_count(now=now)
    return HistoryResult(created=True, tickets=Ticket.objects.count(), start=start, now=now)
