"""The records beside the tickets, in proportion to them: problems with their incidents, changes,
outages and the knowledge base, so that `make bench` measures the pages of issues 16-20 at size.

    load(tickets, seed, now)   (bench.generate calls it after the tickets and the engine check)

Per 100,000 tickets: 200 problems (each with the 3-12 incidents of one service at one site in one
month linked to it, as a technician finds a fault that keeps coming back), 400 changes over the year
and the month ahead, 100 outages (load-shedding, links down, planned maintenance, a supplier's service
down; two still open) and 10,000 articles (bench.knowledge's set; at most 10,000 whatever the size).
Recurring incidents: the tickets' own density makes them (the same service at the same site several
times within the window of problems.models.RecurrenceSettings); the problems above take some of them
out of the finder's reach, as accepted proposals do. Rows go in with bulk_create (a few thousand at most:
COPY would save seconds), in one transaction, after the engine check (an outage pauses SLA clocks, and
the generated clocks know nothing of outages).
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

PROBLEMS_PER_TICKET = 1 / 500
CHANGES_PER_TICKET = 1 / 250
OUTAGES_PER_TICKET = 1 / 1000
ARTICLES_PER_TICKET = 1 / 10
MAX_ARTICLES = 10_000

ROOT_CAUSES = {
    "hardware": (
        "The printer's fuser unit is worn: pages come out smudged and the queue stalls after a jam.",
        "Replace the fuser unit; clear the queue and print again meanwhile.",
    ),
    "software": (
        "The last update of the client leaves a stale profile; sign-in fails until it is rebuilt.",
        "Sign out, delete the cached profile under Settings, sign in again.",
    ),
    "network": (
        "The MPLS router at the site drops its tunnel after a power dip and does not re-establish it.",
        "Power-cycle the router in the comms cabinet; the link is back within five minutes.",
    ),
    "power": (
        "The UPS batteries last fifteen minutes, not forty: the switch goes down in every long outage.",
        "Shut the computers down when load-shedding starts; the desk restarts the switch after.",
    ),
    "supplier": (
        "The supplier's mail relay throttles the municipality's domain at month end.",
        "Send large attachments through the shared drive link instead of mail.",
    ),
    "user": (
        "Staff at the site were never shown how to map the shared drive after a password change.",
        "Follow the help article on mapping the drive; the desk can do it remotely.",
    ),
    "process": (
        "New staff get accounts without a mailbox because HR's form does not reach the desk.",
        "Log a request for the mailbox; the desk creates it the same day.",
    ),
}
PROBLEM_STATUSES = (
    ("logged", 0.15),
    ("investigating", 0.25),
    ("known_error", 0.25),
    ("resolved", 0.2),
    ("closed", 0.15),
)
CHANGE_WORK = (
    ("Replace the core switch at {site}", "The switch is out of support and drops ports under load."),
    ("Upgrade the financial system to the new release", "The Treasury's mSCOA changes take effect."),
    ("Move {site} to the new MPLS link", "The old link's contract ends; the new one is twice as fast."),
    ("Install the new UPS in {site}'s comms cabinet", "The old batteries last fifteen minutes."),
    ("Patch the mail server", "Security updates of this month."),
    ("Re-image the computers at {site}", "Slow machines and an unsupported operating system."),
    ("Replace the printer at {site}", "The old one is worn out; the lease has ended."),
)


def _pick(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def load(tickets: int, seed: int, now: datetime) -> dict[str, int | float]:
    """Add the problems, changes, outages and articles for `tickets` tickets; returns counts and time."""
    from django.db import connection, transaction

    from bench import knowledge

    started = time.perf_counter()
    rng = random.Random(f"{seed}:itsm")  # noqa: S311 - reproducible test data, not secrets
    with transaction.atomic():
        counts: dict[str, int | float] = {
            **problems_load(rng, max(5, round(tickets * PROBLEMS_PER_TICKET)), now),
            "changes": changes_load(rng, max(5, round(tickets * CHANGES_PER_TICKET)), now),
            "outages": outages_load(rng, max(5, round(tickets * OUTAGES_PER_TICKET)), now),
        }
    articles = min(MAX_ARTICLES, max(100, round(tickets * ARTICLES_PER_TICKET)))
    knowledge.load(articles, seed)
    counts["articles"] = articles
    with connection.cursor() as cursor:  # the planner's figures for the new rows, as autovacuum would
        for table in ("problems_problem", "problems_incidentlink", "changes_change", "outages_outage"):
            cursor.execute(f"ANALYZE {table}")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _technicians() -> list[int]:
    from django.contrib.auth import get_user_model

    from common import access

    users = get_user_model().objects.filter(groups__name=access.TECHNICIAN, is_active=True)
    return list(users.order_by("username").values_list("pk", flat=True))


def problems_load(rng: random.Random, count: int, now: datetime) -> dict[str, int]:
    """`count` problems, each on one (service, site, month) of incidents with 3-12 of them linked."""
    from django.db import connection

    from catalogue.models import Service
    from problems.models import IncidentLink, Problem, ProblemEvent

    technicians = _technicians()
    with connection.cursor() as cursor:
        # The months in which a service had at least three incidents at a site: a few thousand rows.
        cursor.execute(
            "SELECT service_id, site_id, date_trunc('month', created_at) AS month, count(*) "
            "FROM incidents_ticket WHERE kind = 'incident' GROUP BY 1, 2, 3 HAVING count(*) >= 3 "
            "ORDER BY 1, 2, 3"
        )
        groups = cursor.fetchall()
    if not groups:
        return {"problems": 0, "linked incidents": 0}
    chosen = rng.sample(groups, min(count, len(groups)))
    wanted = {(service, site, month): rng.randint(3, 12) for service, site, month, _ in chosen}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, service_id, site_id, month, created_at FROM ("
            "  SELECT id, service_id, site_id, date_trunc('month', created_at) AS month, created_at,"
            "    row_number() OVER (PARTITION BY service_id, site_id, date_trunc('month', created_at)"
            "      ORDER BY created_at, id) AS n"
            "  FROM incidents_ticket WHERE kind = 'incident'"
            "    AND (service_id, site_id, date_trunc('month', created_at)) IN"
            "      (SELECT * FROM unnest(%s::int[], %s::int[], %s::timestamptz[]))"
            ") t WHERE n <= 12 ORDER BY id",
            [[key[0] for key in wanted], [key[1] for key in wanted], [key[2] for key in wanted]],
        )
        rows = cursor.fetchall()
    members: dict[tuple, list[tuple[int, datetime]]] = {}
    for pk, service, site, month, created in rows:
        group = members.setdefault((service, site, month), [])
        if len(group) < wanted[(service, site, month)]:
            group.append((pk, created))
    services = {s.pk: s for s in Service.objects.all()}
    problems, links, events = [], [], []
    for (service_id, site_id, _month), incidents in sorted(members.items()):
        service = services[service_id]
        category = rng.choice(list(ROOT_CAUSES))
        cause, workaround = ROOT_CAUSES[category]
        status = _pick(rng, PROBLEM_STATUSES)
        created = incidents[-1][1] + timedelta(hours=rng.uniform(2, 72))
        created = min(created, now - timedelta(minutes=5))
        known = created + timedelta(days=rng.uniform(1, 10))
        resolved = known + timedelta(days=rng.uniform(3, 40))
        if status == "closed" and resolved + timedelta(days=7) > now:
            status = "resolved"  # closed a week after it was resolved
        if resolved > now and status == "resolved":
            status = "known_error"
        if known > now and status == "known_error":
            status = "investigating"
        owner = rng.choice(technicians)
        problem = Problem(
            summary=f"{service.name}: the same fault keeps coming back"[:200],
            description=f"{len(incidents)} incidents on {service.name} at one site within weeks.",
            service_id=service_id,
            priority=rng.choice((2, 3, 3, 4)),
            owner_id=owner,
            group_id=service.support_group_id,
            status=status,
            root_cause=cause if status != "logged" else "",
            root_cause_category=category if status != "logged" else "",
            workaround=workaround if status in ("known_error", "resolved", "closed") else "",
            workaround_public=workaround if status in ("known_error", "resolved", "closed") else "",
            permanent_fix="Done as the root cause says." if status in ("resolved", "closed") else "",
            created_by_id=owner,
            created_at=created,
            known_error_at=known if status in ("known_error", "resolved", "closed") else None,
            resolved_at=resolved if status in ("resolved", "closed") else None,
            closed_at=resolved + timedelta(days=7) if status == "closed" else None,
        )
        problems.append((problem, site_id, incidents))
    Problem.objects.bulk_create([problem for problem, _, _ in problems], batch_size=1000)
    Sites = Problem.sites.through
    Sites.objects.bulk_create([Sites(problem_id=p.pk, site_id=site) for p, site, _ in problems])
    for problem, _site, incidents in problems:
        events.append(
            ProblemEvent(problem=problem, kind="logged", actor_id=problem.owner_id, at=problem.created_at)
        )
        for pk, _ in incidents:
            links.append(
                IncidentLink(
                    ticket_id=pk, problem=problem, linked_by_id=problem.owner_id, linked_at=problem.created_at
                )
            )
            events.append(
                ProblemEvent(
                    problem=problem,
                    kind="linked",
                    actor_id=problem.owner_id,
                    at=problem.created_at,
                    new_value=str(pk),
                )
            )
    IncidentLink.objects.bulk_create(links, batch_size=5000)
    ProblemEvent.objects.bulk_create(events, batch_size=5000)
    return {"problems": len(problems), "linked incidents": len(links)}


def changes_load(rng: random.Random, count: int, now: datetime) -> int:
    """`count` changes spread over the year and the month ahead, in the status their dates give."""
    from django.db import connection

    from catalogue.models import Service
    from changes.models import Change
    from sites.models import Site

    technicians = _technicians()
    sites = list(Site.objects.order_by("pk").values_list("pk", "name"))
    services = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    made = []
    for _ in range(count):
        start = now + timedelta(days=rng.uniform(-365, 35))
        start = start.replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(hours=rng.choice((1, 2, 2, 4, 8)))
        site_id, site_name = rng.choice(sites)
        summary, reason = rng.choice(CHANGE_WORK)
        kind = _pick(rng, (("standard", 0.4), ("normal", 0.5), ("emergency", 0.1)))
        if end < now:
            status = _pick(
                rng, (("closed", 0.6), ("reviewed", 0.15), ("implemented", 0.15), ("cancelled", 0.1))
            )
        elif start < now:
            status = "in_progress"
        else:
            status = _pick(
                rng, (("draft", 0.15), ("submitted", 0.25), ("approved", 0.25), ("scheduled", 0.35))
            )
        done = status in ("implemented", "reviewed", "closed")
        outcome = _pick(
            rng, (("successful", 0.8), ("with_issues", 0.12), ("failed", 0.05), ("backed_out", 0.03))
        )
        likelihood, impact = rng.choice(("low", "medium", "high")), rng.choice(("low", "medium", "high"))
        made.append(
            (
                Change(
                    type=kind,
                    status=status,
                    summary=summary.format(site=site_name)[:200],
                    reason=reason,
                    likelihood=likelihood,
                    impact=impact,
                    risk=max((likelihood, impact), key=("low", "medium", "high").index),
                    implementation_plan="1. Announce. 2. Do the work. 3. Test with the site's staff.",
                    backout_plan="Put the old configuration back from the saved copy.",
                    test_plan="Sign in, print a page, open the financial system from the site.",
                    planned_start=start,
                    planned_end=end,
                    interrupts_service=rng.random() < 0.4,
                    requested_by_id=rng.choice(technicians),
                    implementer_id=rng.choice(technicians),
                    outcome=outcome if done else "",
                    review="The users had no complaint afterwards."
                    if done and outcome != "successful"
                    else "",
                    implemented_at=end if done else None,
                ),
                site_id,
                rng.choice(services),
                start - timedelta(days=rng.uniform(1, 14)),
            )
        )
    Change.objects.bulk_create([change for change, *_ in made], batch_size=1000)
    Sites, Services = Change.sites.through, Change.services.through
    Sites.objects.bulk_create([Sites(change_id=c.pk, site_id=site) for c, site, _, _ in made])
    Services.objects.bulk_create([Services(change_id=c.pk, service_id=service) for c, _, service, _ in made])
    with connection.cursor() as cursor:  # auto_now_add stamped them all now: logged before the work
        cursor.execute(
            "UPDATE changes_change SET created_at = v.at, updated_at = v.at FROM unnest(%s::int[], "
            "%s::timestamptz[]) AS v(id, at) WHERE changes_change.id = v.id",
            [[c.pk for c, *_ in made], [min(at, now) for *_, at in made]],
        )
    return len(made)


def outages_load(rng: random.Random, count: int, now: datetime) -> int:
    """`count` outages over the year: load-shedding and power failures, links down, planned maintenance
    and a supplier's service down; the last two still open."""
    from catalogue.models import Service
    from outages.models import Outage
    from sites.models import Asset, Site

    sites = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    links: dict[int, list[int]] = {}
    for pk, site_id in Asset.objects.filter(type="network_link").order_by("pk").values_list("pk", "site_id"):
        links.setdefault(site_id, []).append(pk)
    services = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    made = []
    for number in range(count):
        start = now - timedelta(days=rng.uniform(0.1, 365))
        hours = rng.lognormvariate(0.7, 0.8)
        kind, scope, cause = _pick(
            rng,
            (
                (("load_shedding", "power", "load_shedding"), 0.4),
                (("unplanned", "power", "power_failure"), 0.15),
                (("unplanned", "link", "link_down"), 0.25),
                (("planned", "site", "maintenance"), 0.1),
                (("unplanned", "service", "supplier_fault"), 0.1),
            ),
        )
        site_id = rng.choice(list(links) if scope == "link" and links else sites)
        if scope == "link" and not links:
            scope, cause = "site", "other"
        still_open = number >= count - 2
        made.append(
            Outage(
                kind=kind,
                scope=scope,
                cause=cause,
                detail="",
                site_id=site_id if scope != "service" else None,
                asset_id=rng.choice(links[site_id]) if scope == "link" else None,
                service_id=rng.choice(services) if scope == "service" else None,
                started_at=now - timedelta(hours=rng.uniform(0.5, 3)) if still_open else start,
                ended_at=None if still_open else min(start + timedelta(hours=hours), now),
                source="schedule" if kind == "load_shedding" else "desk",
            )
        )
    Outage.objects.bulk_create(made, batch_size=1000)
    return len(made)
