"""The benchmark's records beside the tickets (bench/itsm.py) are what the product could hold, and its
pages show them; bench.run's goal lines judge each page by the ratios of one run."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from bench import itsm
from bench.compare import growth
from bench.generate import live_one, lives_insert, people_create, plan, stream, world_load
from bench.run import PAGES, goals
from changes.models import Change
from incidents.models import Ticket
from knowledge.models import Article
from outages.models import Outage
from problems.models import IncidentLink, Problem, ProblemStatus
from problems.services import recurrences_refresh
from sites.demo import demo_assets_load

NOW = datetime(2026, 3, 18, 10, 30, tzinfo=ZoneInfo("Africa/Johannesburg"))
TICKETS = 600
SEED = 5


@pytest.mark.django_db
def test_problems_changes_outages_and_articles_hold_together_and_their_pages_show_them(client):
    people_create(stream(SEED, "people"), NOW)
    demo_assets_load()
    world = world_load(stream(SEED, "world"), NOW, start=NOW - timedelta(days=60))
    rng = stream(SEED, "life", 0)
    lives = [
        live_one(world, rng, number, *draft) for number, draft in enumerate(plan(world, TICKETS, SEED), 1)
    ]
    lives_insert(world, lives, stream(SEED, "clocks"))

    counts = itsm.load(TICKETS, SEED, NOW)

    problems = list(Problem.objects.prefetch_related("sites", "incident_links__ticket"))
    assert counts["problems"] == len(problems) == 5  # the floor for a small load
    assert counts["linked incidents"] == IncidentLink.objects.count() >= 15
    for problem in problems:
        (site,) = problem.sites.all()
        incidents = [link.ticket for link in problem.incident_links.all()]
        assert 3 <= len(incidents) <= 12
        # The same fault coming back: one service, one site, one month, logged before the problem.
        assert {(t.kind, t.service_id, t.site_id) for t in incidents} == {
            ("incident", problem.service_id, site.pk)
        }
        assert len({t.created_at.astimezone(world.tz).strftime("%Y-%m") for t in incidents}) <= 2
        assert max(t.created_at for t in incidents) < problem.created_at <= NOW
        if problem.status in (ProblemStatus.KNOWN_ERROR, ProblemStatus.RESOLVED, ProblemStatus.CLOSED):
            assert problem.workaround and problem.known_error_at <= NOW
        if problem.resolved_at:
            assert problem.resolved_at <= NOW
        assert (problem.closed_at is not None) == (problem.status == ProblemStatus.CLOSED)
        assert problem.closed_at is None or problem.resolved_at < problem.closed_at <= NOW
    changes = Change.objects.all()
    assert changes.count() == counts["changes"] == 5
    for change in changes.prefetch_related("sites", "services"):
        assert change.created_at <= min(change.planned_start, NOW)
        assert change.sites.count() == change.services.count() == 1
        assert (change.implemented_at is not None) == (change.status in ("implemented", "reviewed", "closed"))
    assert Outage.objects.count() == counts["outages"] == 5
    assert Outage.objects.filter(ended_at__isnull=True).count() == 2
    assert Article.objects.count() == counts["articles"] == 100

    # The recurrence finder leaves the incidents a problem already holds alone.
    recurrences_refresh(now=NOW)
    linked = set(IncidentLink.objects.values_list("ticket_id", flat=True))
    proposed = set(Ticket.objects.filter(recurrence_proposals__isnull=False).values_list("pk", flat=True))
    assert not linked & proposed

    client.force_login(get_user_model().objects.get(username="tech01"))
    problem, change = problems[0], changes.first()
    for path, shown in (
        ("/problems/", problem.reference),
        (f"/problems/{problem.pk}/", problem.incident_links.first().ticket.reference),
        ("/changes/", change.reference),
        (f"/changes/{change.pk}/", change.reference),
        ("/outages/", "OUT-"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert shown in response.content.decode(), path


def _page(median: float, p95: float, floor: float) -> dict:
    return {
        "status": 200,
        "latency": {"median_ms": median, "p95_ms": p95},
        "floor": {"median_ms": floor},
        "floor_ratio": round(median / floor, 2),
        "tail_ratio": round(p95 / median, 2),
    }


def test_goal_lines_name_each_page_that_misses():
    pages = {page.key: _page(10.0, 15.0, 5.0) for page in PAGES}
    pages["ticket"] = _page(20.0, 25.0, 5.0)  # 4x the floor
    pages["dashboard"] = _page(10.0, 45.0, 5.0)  # p95 4.5x its median
    pages["problems"] = {"status": 404}
    lines = goals({"pages": pages})
    measured = len(PAGES) - 1
    counted = f"{measured - 1} of {measured} pages"
    assert lines[0].startswith("/healthz asked in turn with each page: median 5.0 ms")
    assert lines[1] == f"goal median within 3x /healthz: NOT MET, {counted}; not met: ticket 4.0x"
    assert lines[2] == f"goal p95 within 2x median: NOT MET, {counted}; not met: dashboard 4.5x"
    assert lines[3] == "not measured (status): problems (404)"

    met = goals({"pages": {page.key: _page(10.0, 15.0, 5.0) for page in PAGES}})
    assert met[1] == f"goal median within 3x /healthz: MET, {len(PAGES)} of {len(PAGES)} pages"
    assert met[2] == f"goal p95 within 2x median: MET, {len(PAGES)} of {len(PAGES)} pages"


def test_growth_line_judges_the_ratio_to_healthz_and_the_query_count():
    small = {"label": "100k", "pages": {}, "queries": {}}
    large = {"label": "1000k", "pages": {}, "queries": {}}
    for key, before, after, queries in (
        ("queue", 5.0, 5.9, (13, 13)),  # 1.18x: within 20 %
        ("ticket", 5.0, 7.0, (15, 15)),  # 1.4x
        ("api_tickets", 4.0, 4.0, (9, 10)),  # one query more
    ):
        small["pages"][key] = {"floor_ratio": before}
        large["pages"][key] = {"floor_ratio": after}
        small["queries"][key], large["queries"][key] = {"queries": queries[0]}, {"queries": queries[1]}
    assert growth(small, large) == (
        "goal 1000k within 20% of 100k (x healthz, same queries): NOT MET; ticket 1.40x; "
        "api_tickets 1.00x, queries 9 -> 10; dashboard not measured; queue 1.18x"
    )
