"""A few months of ticket history for the demo, so the dashboard and the ManCo report have something to say.

The tickets are lived through by the benchmark's simulator (bench/ticket_life.py mirrors the service
functions of incidents/services.py: the same history rows, fields and versions; bench/generate.py draws
who, what, where and when, and derives the SLA clocks with slas.clocks.clocks_derive as the engine does,
with every warning and breach that fell due recorded as the beat sweep records it). Here they are only
written with plain INSERTs, so that it runs on SQLite as well as PostgreSQL. No notification rows are
made: nobody is mailed about the past.

The history covers the previous HISTORY_MONTHS whole months and this month so far, across the nine
sites, logged by demo staff at each site and worked by the demo technicians. It is loaded once: when
the database already holds tickets, nothing is added. The same seed and the same "now" give the same
tickets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from catalogue.models import SupportGroup
from common import access as roles
from incidents.models import Comment, SatisfactionRating, Ticket, TicketEvent, reference_for
from incidents.service_levels import ticket_operational_refresh
from sites.models import Site
from slas.models import SlaClock, SlaEvent

HISTORY_MONTHS = 4
DEFAULT_TICKETS = 480
DEFAULT_SEED = 2026

# Demo colleagues at every site (with no password: they only appear in the data). The demo `staff` user
# is one of the Dutywa Main Building people. Name, surname, department, job title.
DEMO_STAFF_PER_SITE = 3
# The demo `technician` is in every support group; these two share the work with them.
DEMO_TECHNICIANS = (
    ("tech.ayanda", "Ayanda", "Mgwebi", ("Service Desk", "Desktop and Printing", "Business Applications")),
    ("tech.luvuyo", "Luvuyo", "Qwabe", ("Networks", "Telephony", "Desktop and Printing")),
)


@dataclass(frozen=True)
class HistoryResult:
    created: bool
    tickets: int
    start: datetime
    now: datetime


def open_share(age_days: float) -> float:
    """The chance a demo ticket of this age is still open: most of last week's, a few old stragglers (a
    small desk's backlog of a few dozen)."""
    return 0.03 + 0.45 * math.exp(-age_days / 8)


def month_start(moment: datetime, months_back: int) -> datetime:
    """00:00 local time on the 1st of the month `months_back` months before `moment`'s month."""
    local = timezone.localtime(moment)
    year, month = local.year, local.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def _demo_people(rng) -> None:
    """Colleagues at each site and two more technicians, when missing (no password: nobody signs in)."""
    from bench import texts

    User = get_user_model()
    staff_group = Group.objects.get(name=roles.STAFF)
    technician_group = Group.objects.get(name=roles.TECHNICIAN)
    for site in Site.objects.order_by("table_order", "name"):
        for number in range(1, DEMO_STAFF_PER_SITE + 1):
            username = f"demo.{site.pk}.{number}"
            first, last = rng.choice(texts.FIRST_NAMES), rng.choice(texts.LAST_NAMES)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.mbashe.invalid",
                    "site": site,
                    "department": rng.choice(texts.DEPARTMENTS),
                    "job_title": rng.choice(texts.JOB_TITLES),
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(staff_group)
    hub = Site.objects.get(name="Dutywa Main Building")
    for username, first, last, group_names in DEMO_TECHNICIANS:
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


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain INSERTs of the given columns (bulk_create would overwrite auto_now fields with today)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (model and field names only)
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    prepared = [
        tuple(field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True))
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _major_incident(lives: list, start: datetime, end: datetime) -> dict[int, int | None]:
    """Make one long incident of last month a major incident with tickets logged while it was open linked
    to it, the history rows as incidents.services.major_incident_link writes them."""
    from bench.ticket_life import Kind

    def candidates(service_first: bool):
        for life in lives:
            if life.kind != "incident" or not (start <= life.created_at < end) or life.resolved_at is None:
                continue
            if life.resolved_at - life.created_at < timedelta(hours=4):
                continue
            if service_first and "network" not in life.summary.lower() and life.priority > 2:
                continue
            yield life

    def linked(parent) -> list:
        """Incidents logged in the day after it while it was still open: about the same outage."""
        return [
            life
            for life in lives
            if life is not parent
            and life.kind == "incident"
            and parent.created_at < life.created_at < parent.created_at + timedelta(days=1)
            and life.created_at + timedelta(minutes=15) < parent.resolved_at
        ][:3]

    choices = [(life, linked(life)) for life in candidates(True)] or [
        (life, linked(life)) for life in candidates(False)
    ]
    if not choices:
        return {}
    parent, children = max(choices, key=lambda choice: len(choice[1]))  # the first with the most
    link = max([parent.created_at, *(child.created_at for child in children)]) + timedelta(minutes=5)
    by = parent.assignee_id or parent.logged_by_id
    parent.events.append((Kind.PARENT, by, link, "is_major", "", "major incident", "", False))
    reference = reference_for(parent.kind, parent.id)
    for child in children:
        child.events.append((Kind.PARENT, by, link, "parent", "", reference, "", False))
    for life in (parent, *children):
        life.events.sort(key=lambda event: event[2])  # stable: rows of one instant keep their order
    # The major incident is marked with None; each child names its parent.
    return {parent.id: None} | {child.id: parent.id for child in children}


@transaction.atomic
def demo_history_load(
    *, tickets: int = DEFAULT_TICKETS, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> HistoryResult:
    """Add `tickets` tickets logged from the 1st of the month HISTORY_MONTHS months ago until now, unless
    the database holds tickets already. Needs the demo users (servicedesk.demo.demo_data_load)."""
    from bench.generate import (
        CLOCK_FIELDS,
        COMMENT_FIELDS,
        EVENT_FIELDS,
        RATING_FIELDS,
        SLA_EVENT_FIELDS,
        TICKET_FIELDS,
        clocks_for,
        live_one,
        plan,
        stream,
        ticket_row,
        world_load,
    )

    now = (now or timezone.now()).replace(second=0, microsecond=0)
    start = month_start(now, HISTORY_MONTHS)
    if Ticket.objects.exists():
        return HistoryResult(created=False, tickets=Ticket.objects.count(), start=start, now=now)
    _demo_people(stream(seed, "demo people"))
    world = world_load(stream(seed, "demo world"), now, start=start)
    drafts = plan(world, tickets, seed)
    rng = stream(seed, "demo lives")
    lives = [
        live_one(world, rng, number, *draft, stays_open_odds=open_share)
        for number, draft in enumerate(drafts, start=1)
    ]
    major = _major_incident(lives, month_start(now, 1), month_start(now, 0))

    ticket_rows, event_rows, comment_rows, rating_rows, clock_rows, sla_event_rows = [], [], [], [], [], []
    for t in lives:
        clocks, sla_events, response_due, resolution_due = clocks_for(t, world, rng)
        ticket_rows.append(
            ticket_row(
                t, response_due, resolution_due, major.get(t.id), t.id in major and major[t.id] is None
            )
        )
        event_rows += [
            (at, t.id, kind, actor, fld, old, new, note, internal)
            for (kind, actor, at, fld, old, new, note, internal) in t.events
        ]
        comment_rows += [(at, t.id, author, body, internal) for author, body, internal, at in t.comments]
        if t.rating:
            score, words, at, via_link = t.rating
            rating_rows.append((at, t.id, score, words, via_link))
        clock_rows += clocks
        sla_event_rows += sla_events

    # Parents before children (parent is a foreign key to the same table); the other tables in time
    # order, as the live system writes them.
    ticket_rows.sort(key=lambda row: (row[20] is not None, row[0]))
    _insert(Ticket, TICKET_FIELDS, ticket_rows)
    _insert(TicketEvent, EVENT_FIELDS, sorted(event_rows, key=lambda row: row[0]))
    _insert(Comment, COMMENT_FIELDS, sorted(comment_rows, key=lambda row: row[0]))
    _insert(SatisfactionRating, RATING_FIELDS, sorted(rating_rows, key=lambda row: row[0]))
    _insert(SlaClock, CLOCK_FIELDS, clock_rows)
    _insert(SlaEvent, SLA_EVENT_FIELDS, sorted(sla_event_rows, key=lambda row: row[0]))
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Ticket]):
            cursor.execute(statement)
    # The OLA and supplier-contract clocks, from the same history (the simulator writes SLA clocks only).
    for ticket in Ticket.objects.select_related("group").order_by("pk"):
        ticket_operational_refresh(ticket)
    return HistoryResult(created=True, tickets=len(lives), start=start, now=now)
