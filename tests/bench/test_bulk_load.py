"""The benchmark's bulk loader (bench/generate.py, bench/ticket_life.py) writes what the services write.

A few hundred tickets are lived once in memory by the benchmark's simulator; their rows are loaded the
bulk way (rolled back after reading them), then the very same verbs are called on the real service
functions (incidents/services.py) under the demo's moving clock, with the beat sweep at every instant
a warning or breach fell due. Their history rows, conversation, ratings, SLA clocks, warnings and
breaches and ticket fields must come out the same: two implementations of a ticket's life kept in step.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from bench.generate import live_one, lives_insert, people_create, plan, stream, world_load
from catalogue.models import RequestField, Service
from incidents import services
from incidents.models import Comment, SatisfactionRating, Ticket, TicketEvent
from servicedesk.demo_clock import moving_clock
from servicedesk.demo_history import sweep_until
from sites.demo import demo_assets_load
from sites.models import Asset, Site
from slas.models import SlaClock, SlaEvent
from slas.services import sla_sweep

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 10, 30, tzinfo=ZoneInfo("Africa/Johannesburg"))
TICKETS = 200
SEED = 3

TICKET_COLUMNS = (
    "kind",
    "summary",
    "status",
    "pending_reason",
    "priority",
    "priority_reason",
    "service_id",
    "site_id",
    "asset_id",
    "requester_id",
    "logged_by_id",
    "channel",
    "group_id",
    "assignee_id",
    "handovers",
    "resolution_code",
    "resolution_note",
    "first_contact",
    "created_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "sla_id",
    "response_due_at",
    "resolution_due_at",
    "version",
)
EVENT_COLUMNS = ("kind", "actor_id", "at", "field", "old_value", "new_value", "note", "internal")
CLOCK_COLUMNS = (
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
)


def snapshot() -> dict[int, dict]:
    """Every ticket's rows, keyed by its place in logging order (the two ways number tickets apart)."""
    tickets = list(Ticket.objects.order_by("created_at", "pk").values_list("pk", *TICKET_COLUMNS))
    place = {row[0]: number for number, row in enumerate(tickets)}
    found = {
        place[row[0]]: {"ticket": row[1:], "events": [], "comments": [], "clocks": set(), "sla": set()}
        for row in tickets
    }
    for row in TicketEvent.objects.order_by("at", "pk").values_list("ticket_id", *EVENT_COLUMNS):
        found[place[row[0]]]["events"].append(row[1:])
    for row in Comment.objects.order_by("created_at", "pk").values_list(
        "ticket_id", "author_id", "body", "internal", "created_at"
    ):
        found[place[row[0]]]["comments"].append(row[1:])
    for row in SatisfactionRating.objects.values_list(
        "ticket_id", "score", "comment", "rated_at", "via_link"
    ):
        found[place[row[0]]]["rating"] = row[1:]
    for row in SlaClock.objects.values_list("ticket_id", *CLOCK_COLUMNS):
        found[place[row[0]]]["clocks"].add(row[1:])
    for row in SlaEvent.objects.values_list("ticket_id", "clock", "kind", "due_at"):
        found[place[row[0]]]["sla"].add(row[1:])
    return found


def answers_for(service: Service) -> dict:
    """Answers the service's request questions accept (the bulk loader stores none; history holds none)."""
    FieldType = RequestField.FieldType
    filler = {
        FieldType.NUMBER: 1,
        FieldType.DATE: "2026-04-01",
        FieldType.YES_NO: "yes",
        FieldType.EMAIL: "someone@mbashe.invalid",
    }
    return {
        field.key: field.choice_list[0]
        if field.field_type == FieldType.CHOICE
        else filler.get(field.field_type, "x")
        for field in service.request_fields.all()
    }


def live_through_services(lives: list) -> None:
    """Call the service for every verb the simulator lived, in time order across all tickets."""
    User = get_user_model()
    people = User.objects.in_bulk()
    services_by_id, sites, assets = Service.objects.in_bulk(), Site.objects.in_bulk(), Asset.objects.in_bulk()
    steps = sorted(
        (at, life.id, order, verb, arguments, life)
        for life in lives
        for order, (verb, at, arguments) in enumerate(life.calls)
    )
    tickets: dict[int, Ticket] = {}
    with moving_clock(steps[0][0]) as clock:
        for at, number, _, verb, arguments, life in steps:
            sweep_until(clock, at)
            clock.set(at)
            ticket = tickets.get(number)
            person = {key: people.get(value) for key, value in arguments.items() if key in ("by", "assignee")}
            if verb == "log":
                service = services_by_id[life.service_id]
                tickets[number] = services.ticket_log(
                    requester=people[life.requester_id],
                    service=service,
                    site=sites[life.site_id],
                    summary=life.summary,
                    description=life.description,
                    impact=life.impact,
                    urgency=life.urgency,
                    kind=life.kind,
                    asset=assets.get(life.asset_id),
                    answers=answers_for(service) if life.kind == "request" else None,
                    channel=life.channel,
                    logged_by=people[life.logged_by_id],
                )
            elif verb == "assign":
                services.ticket_assign(ticket=ticket, by=person["by"], assignee=person["assignee"])
            elif verb == "change_status":
                services.ticket_change_status(ticket=ticket, **(arguments | person))
            elif verb == "comment":
                services.ticket_comment(ticket=ticket, **(arguments | person))
            elif verb == "rate":
                by = None if arguments["via_link"] else people[life.requester_id]
                services.ticket_rate(ticket=ticket, by=by, **arguments)
            else:
                raise AssertionError(f"no service for {verb}")
        sweep_until(clock, NOW)
        clock.set(NOW)
        sla_sweep(now=NOW)


def test_bulk_rows_are_the_rows_the_services_write():
    people_create(stream(SEED, "people"), NOW)
    demo_assets_load()
    world = world_load(stream(SEED, "world"), NOW, start=NOW - timedelta(days=75))
    rng = stream(SEED, "life", 0)
    lives = [
        live_one(world, rng, number, *draft) for number, draft in enumerate(plan(world, TICKETS, SEED), 1)
    ]
    assert {life.status for life in lives} >= {"new", "in_progress", "pending", "resolved", "closed"}

    with transaction.atomic():
        lives_insert(world, lives, stream(SEED, "clocks"))
        bulk = snapshot()
        transaction.set_rollback(True)
    assert not Ticket.objects.exists()

    live_through_services(lives)
    lived = snapshot()

    assert len(lived) == len(bulk) == TICKETS
    differences = [
        (number, part, bulk[number].get(part), lived[number].get(part))
        for number in range(TICKETS)
        for part in ("ticket", "events", "comments", "rating", "clocks", "sla")
        if bulk[number].get(part) != lived[number].get(part)
    ]
    assert not differences, differences[:3]
    # The comparison saw every kind of life: breaches, ratings, waits, reopens.
    assert any(row[1] == "breach" for found in lived.values() for row in found["sla"])
    assert sum("rating" in found for found in lived.values()) > 20
    assert date(2026, 1, 1) <= min(found["ticket"][18] for found in lived.values()).date()
