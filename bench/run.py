"""Measure the pages that matter, served the production way, and one SLA sweep; print a table, write JSON.

    python -m bench.run --label 100k \\
        --database-url postgres://postgres@127.0.0.1:5432/servicedesk_bench_100k

For each page: median and p95 ms (one request after another, after warm-up), requests/s with 4
connections at once, response bytes, all against gunicorn with 2 workers and DEBUG off; then SQL queries
per request and their time, in a separate in-process pass (django.test.Client and
CaptureQueriesContext against the same database). The SLA sweep runs in-process: once with nothing due
and once with 1,000 clocks due (inside a transaction that is rolled back, so the database is left as it
was). Then the gunicorn workers' memory, and last month's ManCo report built once in a process of its
own (bench/report_build.py: time per stage and peak memory). A page that does not exist yet is reported
with its status.
Results go to var/bench/<label>.json (docs/benchmarks.md explains every figure).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from bench import database
from bench.generate import BENCH_PASSWORD
from bench.http_client import Session, measure_alternating, measure_throughput

PAGE_SIZE = 25  # incidents.views.TICKETS_PER_PAGE


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str  # with {placeholders} filled from the fixtures
    who: str  # technician, staff or manager


PAGES = (
    Page("queue", "Technician queue: all open, page 1", "/queue/?queue=open", "technician"),
    Page(
        "queue_filtered",
        "Queue filtered by site and priority",
        "/queue/?queue=open&site={site}&priority={priority}",
        "technician",
    ),
    Page("queue_last", "Queue: last page", "/queue/?queue=open&page={last_page}", "technician"),
    Page("ticket", "One ticket's page (technician)", "/tickets/{ticket}/", "technician"),
    Page("my_tickets", "Staff: my tickets", "/tickets/", "staff"),
    Page("api_tickets", "API /api/tickets/, page 1", "/api/tickets/", "technician"),
    Page("api_tickets_last", "API /api/tickets/, last page", "/api/tickets/?page=last", "technician"),
    Page("dashboard", "Manager dashboard", "/dashboard/", "manager"),
    Page("api_kpis", "API /api/reports/kpis/ for a month", "/api/reports/kpis/?month={month}", "manager"),
    # The new capabilities (issues 16-20): problems, changes, knowledge, outages and availability.
    Page("problems", "Problems: the list", "/problems/", "technician"),
    Page("problem", "One problem's page (its incidents)", "/problems/{problem}/", "technician"),
    Page("changes", "Changes: the list", "/changes/", "technician"),
    Page("change", "One change's page", "/changes/{change}/", "technician"),
    Page("change_calendar", "Change calendar (this month)", "/changes/calendar/", "technician"),
    Page("help_search", "Knowledge search (staff, help page)", "/help/?q=printer+not+printing", "staff"),
    Page(
        "help_suggest",
        "Knowledge suggestions while logging",
        "/help/suggest/?q=printer+not+printing",
        "staff",
    ),
    Page("outages", "Outages: the list", "/outages/", "technician"),
    Page(
        "api_availability",
        "API /api/availability/ for a month",
        "/api/availability/?month={month}",
        "technician",
    ),
)
# The floor every page is compared with, asked in turn with it (bench.http_client.measure_alternating).
FLOOR_PATH = "/healthz"
# Issue 22's goals, as ratios measured in one run.
GOAL_FLOOR_RATIO = 3.0  # a page's median within 3x /healthz's
GOAL_TAIL_RATIO = 2.0  # a page's p95 within 2x its median


def free_port() -> int:
    """BENCH_PORT when set (a shared machine gives each person their ports), else any free one."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_pressure() -> float | None:
    """Share of the last 10 s in which some runnable task waited for a CPU (Linux PSI), in percent: other
    work on the machine (a test run next door) shows here and slows every figure."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return float(first.split("avg10=")[1].split()[0])


def wait_for_quiet(limit: float, patience: float) -> float | None:
    """Wait (at most `patience` seconds) until the CPU pressure is under `limit`; returns the last reading."""
    deadline = time.monotonic() + patience
    pressure = cpu_pressure()
    while pressure is not None and pressure > limit and time.monotonic() < deadline:
        time.sleep(2)
        pressure = cpu_pressure()
    return pressure


class QueryCounter:
    """Counts and times every SQL statement a block runs (no cap, unlike CaptureQueriesContext)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def load_average() -> list[float]:
    return [float(part) for part in Path("/proc/loadavg").read_text().split()[:3]]


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
    }


def _reference_loop() -> int:
    total = 0
    for number in range(1_000_000):
        total += number * number
    return total


def python_speed(runs: int = 5) -> float:
    """The reference loop's best time in ms: this machine's CPU speed at this moment."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        _reference_loop()
        best = min(best, (time.perf_counter() - started) * 1000)
    return round(best, 1)


def machine_speed() -> dict:
    """Two fixed workloads, so figures from different machines (or a busy hour) can be compared: the best
    of seven runs of a pure-Python loop (one core's speed for the interpreter) and the median round trip
    of `SELECT 1` to PostgreSQL (the driver, the loopback and the server's per-statement cost)."""
    from django.db import connection

    loops = []
    for _ in range(7):
        started = time.perf_counter()
        _reference_loop()
        loops.append((time.perf_counter() - started) * 1000)
    trips = []
    with connection.cursor() as cursor:
        for _ in range(500):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            trips.append((time.perf_counter() - started) * 1_000_000)
    return {"python_loop_ms": round(min(loops), 1), "select_1_us": round(statistics.median(trips), 1)}


# --- fixtures: who signs in, which ticket, which filter ---------------------------------------------------


def fixtures() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from common import access as roles
    from incidents.models import OPEN_STATUSES, Status, Ticket

    User = get_user_model()

    def first_in(role: str, preferred: str):
        user = User.objects.filter(username=preferred, groups__name=role).first()
        user = user or User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()
        if user is None:
            raise SystemExit(f"nobody has the {role} role: generate the database with bench.generate first")
        return user

    technician = first_in(roles.TECHNICIAN, "tech01")
    manager = first_in(roles.MANAGER, "manager")
    busiest = (
        Ticket.objects.values("requester")
        .annotate(n=Count("pk"))
        .filter(requester__groups__name=roles.STAFF)
        .order_by("-n", "requester")
        .first()
    )
    if busiest is None:
        raise SystemExit("no tickets: generate the database with bench.generate first")
    staff = User.objects.get(pk=busiest["requester"])
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    site = open_tickets.values("site").annotate(n=Count("pk")).order_by("-n", "site").first()["site"]
    priority = (
        open_tickets.filter(site=site)
        .values("priority")
        .annotate(n=Count("pk"))
        .order_by("-n", "priority")
        .first()
    )["priority"]
    # A ticket being worked, from the middle of the table, with its conversation and history.
    working = Ticket.objects.filter(status=Status.IN_PROGRESS).order_by("pk").values_list("pk", flat=True)
    ticket = working[working.count() // 2]
    from changes.models import Change
    from problems.models import Problem

    problems = Problem.objects.order_by("pk").values_list("pk", flat=True)
    changes = Change.objects.order_by("pk").values_list("pk", flat=True)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "technician": technician.username,
        "staff": staff.username,
        "staff_tickets": busiest["n"],
        "manager": manager.username,
        "site": site,
        "priority": priority,
        "ticket": ticket,
        "open_tickets": open_tickets.count(),
        "tickets": Ticket.objects.count(),
        "last_page": max(1, math.ceil(open_tickets.count() / PAGE_SIZE)),
        "month": last_month,
        "postgres": postgres,
        # The middle problem and change (0 when the database has none: the page answers 404).
        "problem": problems[problems.count() // 2] if problems.exists() else 0,
        "change": changes[changes.count() // 2] if changes.exists() else 0,
    }


# --- queries per request, in-process ----------------------------------------------------------------------


def store_dashboard_figures(month: str) -> None:
    """Count and keep what the dashboard and /api/reports/kpis/ read (issue 22: no request counts; on a
    running desk beat and the recount task have done this): this month so far and `month`, all scopes."""
    from reports import kpis
    from reports.periods import month_period, parse_month
    from reports.services import month_so_far_recount

    month_so_far_recount()
    kpis.month_report(month_period(parse_month(month)), kpis.ALL, stored=True)


def count_queries(pages: list[tuple[Page, str]], users: dict[str, str], repeats: int = 3) -> dict[str, dict]:
    """Each page through django.test.Client: one warm-up request, then `repeats` counted ones."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    User = get_user_model()
    # A page that fails is reported by its status; its traceback belongs in the server's log, not here.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    clients = {}
    for who, username in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        clients[who] = client
    results = {}
    for page, path in pages:
        client = clients[page.who]
        response = client.get(path)
        result = {"status": response.status_code}
        if response.status_code == 200:
            timings, counts, queries = [], [], []
            for _ in range(repeats):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    client.get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                queries = captured.captured_queries
                counts.append(len(queries))
            slowest = sorted(queries, key=lambda query: float(query["time"]), reverse=True)[:3]
            result.update(
                queries=counts[-1],
                queries_stable=len(set(counts)) == 1,
                sql_ms=round(sum(float(query["time"]) for query in queries) * 1000, 1),
                in_process_ms=round(statistics.median(timings), 1),
                slowest_sql=[
                    {"ms": round(float(query["time"]) * 1000, 2), "sql": query["sql"]} for query in slowest
                ],
            )
        results[page.key] = result
    return results


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured SELECT, for the JSON (never run on anything else)."""
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- the SLA sweep, in-process ---------------------------------------------------------------------------


def measure_sweep(due: int = 1000, budget_seconds: float = 20.0) -> dict:
    """sla_sweep with nothing due, then with `due` clocks due at once.

    Nothing due: at the instant just before the earliest deadline in the database (what every sweep but
    one in a thousand sees). Due: the `due` running clocks that reached their warning first are made due
    as if the beat had been down (their recorded warnings and breaches removed, their next deadline set
    back to the warning), and the sweep runs at the latest of those warnings; it records each warning and
    breach and queues its mails. That run is inside a transaction that is rolled back: the database is
    left as it was."""
    from django.db import connection, transaction
    from django.db.models import Count, Exists, F, OuterRef
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from slas.models import ClockState, SlaClock, SlaEvent
    from slas.services import sla_sweep

    pending = SlaClock.objects.filter(next_event_at__isnull=False)
    first = pending.order_by("next_event_at").values_list("next_event_at", flat=True).first()
    quiet = (first - timedelta(seconds=1)) if first else timezone.now()
    running = SlaClock.objects.filter(state=ClockState.RUNNING)
    result: dict = {"running_clocks": running.count(), "clocks_with_a_deadline": pending.count()}

    timings, queries = [], []
    deadline = time.perf_counter() + 5
    while len(timings) < 5 or (time.perf_counter() < deadline and len(timings) < 200):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            recorded = sla_sweep(now=quiet)
            timings.append((time.perf_counter() - started) * 1000)
        queries = [query for query in captured.captured_queries if query["sql"] not in ("BEGIN", "COMMIT")]
        if recorded:
            raise RuntimeError("the quiet sweep recorded something: the database changed under the benchmark")
    result["nothing_due"] = {
        "runs": len(timings),
        "median_ms": round(statistics.median(timings), 2),
        "queries": len(queries),
        "sql": [query["sql"] for query in queries],
    }

    chosen = list(
        running.filter(warn_at__isnull=False).order_by("warn_at", "pk").values_list("pk", "warn_at")[:due]
    )
    if len(chosen) < due:
        result["due"] = {"skipped": f"only {len(chosen)} running clocks"}
        return result
    ids = [pk for pk, _ in chosen]
    at = max(warn_at for _, warn_at in chosen)
    timings, recorded, made_due, kinds, counter = [], 0, 0, {}, QueryCounter()
    started_all = time.perf_counter()
    while len(timings) < 3 and (not timings or time.perf_counter() - started_all < budget_seconds):
        with transaction.atomic():
            clocks = SlaClock.objects.filter(pk__in=ids)
            same_clock = clocks.filter(ticket_id=OuterRef("ticket_id"), kind=OuterRef("clock"))
            SlaEvent.objects.filter(Exists(same_clock)).delete()
            clocks.update(next_event_at=F("warn_at"))
            made_due = SlaClock.objects.filter(next_event_at__lte=at).count()
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                recorded = sla_sweep(now=at)
                timings.append((time.perf_counter() - started) * 1000)
            kinds = dict(
                SlaEvent.objects.filter(recorded_at=at)
                .values_list("kind")
                .annotate(n=Count("pk"))
                .values_list("kind", "n")
            )
            transaction.set_rollback(True)
    result["due"] = {
        "clocks_due": made_due,
        "events_recorded": recorded,
        "by_kind": kinds,
        "runs": len(timings),
        "median_ms": round(statistics.median(timings), 1),
        "queries": counter.count,
        "sql_ms": round(counter.seconds * 1000, 1),
        "per_event_ms": round(statistics.median(timings) / max(recorded, 1), 2),
    }
    return result


def measure_dashboard_count(repeats: int = 3) -> dict:
    """What the dashboard's stored report costs to count: beat's recount of the whole municipality's
    month so far (reports.services.month_so_far_recount, with the ended months' figures stored, as they
    are between recounts), which is also what a request pays when it finds no fresh report. Each run is
    rolled back; the first warms the stored months and is not counted."""
    from django.db import connection, transaction

    from reports.services import month_so_far_recount

    timings, counter = [], QueryCounter()
    with transaction.atomic():
        month_so_far_recount()
        for _ in range(repeats):
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                month_so_far_recount()
                timings.append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)
    return {
        "runs": len(timings),
        "median_ms": round(statistics.median(timings), 1),
        "queries": counter.count,
        "sql_ms": round(counter.seconds * 1000, 1),
    }


def measure_recurrences(repeats: int = 3) -> dict:
    """Issue 17's beat task: finding recurring incidents among every incident of the look-back window and
    making the open proposals what it found (problems.services.recurrences_refresh). Each run is rolled
    back; the first warms the calendar and is not counted."""
    from django.db import connection, transaction
    from django.utils import timezone

    from catalogue.models import TicketKind
    from incidents.models import Ticket
    from problems.models import RecurrenceProposal
    from problems.services import recurrence_settings, recurrences_refresh

    timings, counter, found = [], QueryCounter(), 0
    with transaction.atomic():
        recurrences_refresh()
        for _ in range(repeats):
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                found = recurrences_refresh()
                timings.append((time.perf_counter() - started) * 1000)
        tickets = RecurrenceProposal.tickets.through.objects.count()
        transaction.set_rollback(True)
    return {
        "runs": len(timings),
        "median_ms": round(statistics.median(timings), 1),
        "queries": counter.count,
        "sql_ms": round(counter.seconds * 1000, 1),
        "proposals": found,
        "proposed_tickets": tickets,
        "incidents": Ticket.objects.filter(
            kind=TicketKind.INCIDENT,
            created_at__gte=timezone.now() - timedelta(days=recurrence_settings().lookback_days),
        ).count(),
    }


def measure_report_build(database_url: str) -> dict:
    """Issue 8's monthly report build (KPIs, CSV, XLSX and PDF, as the Celery task builds it), once, in a
    process of its own (bench.report_build) so that its peak memory is its own; nothing is kept."""
    command = [sys.executable, "-m", "bench.report_build", "--database-url", database_url]
    # Our own interpreter and fixed arguments; nothing comes from outside.
    done = subprocess.run(  # noqa: S603
        command, cwd=database.BASE_DIR, capture_output=True, text=True, timeout=900, check=False
    )
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"status": f"exit {done.returncode}", "stderr": done.stderr[-2000:]}


# --- gunicorn, the production way -------------------------------------------------------------------------


def collect_static(root: Path) -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    if not (root / "staticfiles.json").exists():
        raise RuntimeError(f"collectstatic wrote no manifest under {root}")


class Gunicorn:
    """`gunicorn servicedesk.wsgi:application -w 2` on a free port of 127.0.0.1, with production settings."""

    def __init__(self, database_url: str, static_root: Path, log: Path, workers: int = 2):
        self.port = free_port()
        self.log_file = log.open("w")
        environment = {
            **os.environ,
            **database.bench_environment(database_url, allowed_hosts="127.0.0.1"),
            "STATIC_ROOT": str(static_root),
            "WHITENOISE_USE_FINDERS": "false",
            "LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "servicedesk.wsgi:application",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        # Our own interpreter and fixed arguments; nothing comes from outside.
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=database.BASE_DIR, env=environment, stdout=self.log_file, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}; see {self.log_file.name}"
                )
            try:
                if Session("127.0.0.1", self.port, timeout=5).get("/accounts/login/").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in {timeout:.0f} s; see {self.log_file.name}")

    def worker_memory(self) -> list[dict]:
        """Resident and peak memory of each worker (children of the master), from /proc."""
        workers = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(self.process.pid):
                workers.append(
                    {
                        "pid": int(entry.name),
                        "rss_mb": round(int(fields["VmRSS"].split()[0]) / 1024, 1),
                        "peak_rss_mb": round(int(fields["VmHWM"].split()[0]) / 1024, 1),
                    }
                )
        return sorted(workers, key=lambda worker: worker["pid"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


# --- the run ----------------------------------------------------------------------------------------------


def measure_page(session: Session, page: Page, path: str, args) -> dict:
    pressure_before = wait_for_quiet(args.quiet, args.patience) if args.quiet else cpu_pressure()
    # The host's CPU speed wanders (seen: the reference loop 55-99 ms within minutes on an idle guest):
    # taken before and after each page, so a slow median can be told from a slow moment.
    speed_before = python_speed()
    warm = [session.get(path) for _ in range(3)]
    result = {"path": path, "status": warm[-1].status}
    if warm[-1].status != 200:
        result["note"] = "not built yet" if warm[-1].status == 404 else f"HTTP {warm[-1].status}"
        print(f"  {page.label}: HTTP {warm[-1].status}", flush=True)
        return result
    latency, floor = measure_alternating(
        session, path, FLOOR_PATH, minimum=args.requests, seconds=args.seconds, cap_seconds=args.cap_seconds
    )
    throughput = measure_throughput(session, path, connections=args.connections, seconds=args.load_seconds)
    body = warm[-1].body
    # As a browser gets it: the same page asked for with Accept-Encoding (common/compression.py).
    packed = session.get(path, headers={"Accept-Encoding": "gzip"})
    result.update(
        latency=asdict(latency),
        floor=asdict(floor),
        floor_ratio=round(latency.median_ms / floor.median_ms, 2),
        tail_ratio=round(latency.p95_ms / latency.median_ms, 2),
        throughput=asdict(throughput),
        bytes=len(body),
        gzip_bytes=len(packed.body),
        gzip_encoding=packed.headers.get("content-encoding", ""),
        content_type=warm[-1].headers.get("content-type", ""),
        cpu_pressure=[pressure_before, cpu_pressure()],
        python_loop_ms=[speed_before, python_speed()],
    )
    print(
        f"  {page.label}: median {latency.median_ms:.1f} ms, p95 {latency.p95_ms:.1f} ms "
        f"({latency.requests} requests; {FLOOR_PATH} in turn {floor.median_ms:.1f} ms: "
        f"{latency.median_ms / floor.median_ms:.1f}x), "
        f"{throughput.per_second:.1f} req/s at {args.connections}",
        flush=True,
    )
    return result


def measure_pages(server: Gunicorn, pages, users: dict[str, str], args) -> dict[str, dict]:
    sessions = {}
    for who, username in users.items():
        session = Session("127.0.0.1", server.port)
        session.sign_in(username, BENCH_PASSWORD)
        sessions[who] = session
    results = {}
    for page, path in pages:
        try:
            results[page.key] = measure_page(sessions[page.who], page, path, args)
        except OSError as exc:  # the server or the database went away mid-run: say so, go on
            results[page.key] = {"path": path, "status": "error", "note": str(exc)}
            print(f"  {page.label}: {exc}", flush=True)
    return results


def static_check(server: Gunicorn) -> dict:
    """How the stylesheet is served: hashed name, compressed, cached for a year (whitenoise)."""
    from django.templatetags.static import static

    path = static("css/servicedesk.css")
    reply = Session("127.0.0.1", server.port).get(path, headers={"Accept-Encoding": "gzip, br"})
    return {
        "path": path,
        "status": reply.status,
        "bytes_sent": len(reply.body),
        "content_encoding": reply.headers.get("content-encoding", ""),
        "cache_control": reply.headers.get("cache-control", ""),
    }


COLUMNS = (
    ("status", "status"),
    ("median_ms", "median ms"),
    ("p95_ms", "p95 ms"),
    ("floor_ratio", "x healthz"),
    ("tail_ratio", "p95/med"),
    ("per_second", "req/s@4"),
    ("queries", "queries"),
    ("sql_ms", "SQL ms"),
    ("in_process_ms", "in-proc ms"),
    ("kb", "KB"),
    ("kb_gzip", "KB gzip"),
)


def figures(result: dict) -> list[tuple[str, dict[str, str]]]:
    """One run's figures as text cells per row: every page, the two sweeps, the report build."""
    rows = []
    for page in PAGES:
        http = result["pages"].get(page.key, {})
        counted = result["queries"].get(page.key, {})
        cells = {"status": str(http.get("status", "-"))}
        if http.get("status") == 200:
            stable = "" if counted.get("queries_stable", True) else "*"
            cells.update(
                median_ms=f"{http['latency']['median_ms']:.1f}",
                p95_ms=f"{http['latency']['p95_ms']:.1f}",
                floor_ratio=f"{http['floor_ratio']:.1f}" if "floor_ratio" in http else "-",
                tail_ratio=f"{http['tail_ratio']:.1f}" if "tail_ratio" in http else "-",
                per_second=f"{http['throughput']['per_second']:.1f}",
                queries=f"{counted.get('queries', '-')}{stable}",
                sql_ms=f"{counted.get('sql_ms', 0):.1f}",
                in_process_ms=f"{counted.get('in_process_ms', 0):.1f}",
                kb=f"{http['bytes'] / 1024:.1f}",
                kb_gzip=f"{http['gzip_bytes'] / 1024:.1f}" if http.get("gzip_encoding") == "gzip" else "-",
            )
        rows.append((page.label, cells))
    counting = result.get("dashboard_count", {})
    if "median_ms" in counting:
        rows.append(
            (
                "Dashboard's month so far, counted (beat, in-process)",
                {
                    "status": "ok",
                    "in_process_ms": f"{counting['median_ms']:.0f}",
                    "queries": str(counting["queries"]),
                    "sql_ms": f"{counting['sql_ms']:.0f}",
                },
            )
        )
    recurring = result.get("recurrences", {})
    if "median_ms" in recurring:
        rows.append(
            (
                "Recurrence finder (in-process)",
                {
                    "status": "ok",
                    "in_process_ms": f"{recurring['median_ms']:.0f}",
                    "queries": str(recurring["queries"]),
                    "sql_ms": f"{recurring['sql_ms']:.0f}",
                },
            )
        )
    sweep = result["sweep"]
    quiet = sweep["nothing_due"]
    rows.append(
        (
            "SLA sweep, nothing due (in-process)",
            {"status": "ok", "in_process_ms": f"{quiet['median_ms']:.1f}", "queries": str(quiet["queries"])},
        )
    )
    due = sweep.get("due", {})
    if "median_ms" in due:
        rows.append(
            (
                f"SLA sweep, {due['clocks_due']:,} clocks due (in-process)",
                {
                    "status": "ok",
                    "in_process_ms": f"{due['median_ms']:.0f}",
                    "queries": str(due["queries"]),
                    "sql_ms": f"{due['sql_ms']:.0f}" if "sql_ms" in due else "-",
                },
            )
        )
    report = result.get("report_build", {})
    cells = {"status": report.get("status", "-")[:16]}
    if "seconds" in report:
        cells.update(
            in_process_ms=f"{report['seconds'] * 1000:.0f}",
            queries=str(report.get("queries", "-")),
            kb=f"{sum(report.get('kb', {}).values()):.0f}",
        )
    rows.append(("Monthly report build (KPIs, CSV, XLSX, PDF)", cells))
    return rows


def goals(result: dict) -> list[str]:
    """Issue 22's two per-page goals, each page met or not, from the ratios of this one run: the
    median within GOAL_FLOOR_RATIO x /healthz asked in turn with it, the p95 within GOAL_TAIL_RATIO x
    the median. A page that did not answer 200 is listed as not measured."""
    floor_met, floor_missed, tail_met, tail_missed, unmeasured = [], [], [], [], []
    floors = []
    for page in PAGES:
        http = result["pages"].get(page.key, {})
        if http.get("status") != 200 or "floor_ratio" not in http:
            unmeasured.append(f"{page.key} ({http.get('status', '-')})")
            continue
        floors.append(http["floor"]["median_ms"])
        ratio, tail = http["floor_ratio"], http["tail_ratio"]
        (floor_met if ratio <= GOAL_FLOOR_RATIO else floor_missed).append(f"{page.key} {ratio:.1f}x")
        (tail_met if tail <= GOAL_TAIL_RATIO else tail_missed).append(f"{page.key} {tail:.1f}x")
    measured = len(floor_met) + len(floor_missed)
    lines = []
    if floors:
        lines.append(
            f"{FLOOR_PATH} asked in turn with each page: median {statistics.median(floors):.1f} ms "
            f"({min(floors):.1f}-{max(floors):.1f} ms over the pages)"
        )

    def line(goal: str, met: list[str], missed: list[str]) -> str:
        verdict = "MET" if not missed and measured else "NOT MET"
        text = f"goal {goal}: {verdict}, {len(met)} of {measured} pages"
        return text + (f"; not met: {', '.join(missed)}" if missed else "")

    lines.append(line(f"median within {GOAL_FLOOR_RATIO:g}x {FLOOR_PATH}", floor_met, floor_missed))
    lines.append(line(f"p95 within {GOAL_TAIL_RATIO:g}x median", tail_met, tail_missed))
    if unmeasured:
        lines.append(f"not measured (status): {', '.join(unmeasured)}")
    return lines


def render(header: list[str], rows: list[list[str]]) -> str:
    """A plain text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(row[index]) for row in [header, *rows]) for index in range(len(header))]
    lines = []
    for number, row in enumerate([header, *rows]):
        cells = [cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def table(result: dict) -> str:
    header = ["", *(title for _, title in COLUMNS)]
    rows = [[label, *(cells.get(key, "-") for key, _ in COLUMNS)] for label, cells in figures(result)]
    return render(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", f"{database.SERVER}/servicedesk_bench_10k"),
    )
    parser.add_argument("--label", default="", help="name of the result file (default: the database size)")
    parser.add_argument("--requests", type=int, default=50, help="at least this many timed requests per page")
    parser.add_argument(
        "--seconds", type=float, default=6.0, help="time the one-by-one requests at least this long"
    )
    parser.add_argument("--cap-seconds", type=float, default=20.0, help="stop a slow page's requests here")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--due", type=int, default=1000, help="clocks made due for the second sweep")
    parser.add_argument("--load-seconds", type=float, default=5.0, help="length of the N-connection run")
    parser.add_argument(
        "--quiet",
        type=float,
        default=0,
        help="before each page, wait until the CPU pressure (/proc/pressure/cpu avg10, %%) is below this",
    )
    parser.add_argument("--patience", type=float, default=60, help="longest wait for --quiet, in seconds")
    parser.add_argument(
        "--explain", action="store_true", help="store EXPLAIN ANALYZE of each page's slowest query"
    )
    args = parser.parse_args(argv)
    url = args.database_url
    name = database.database_name(url)
    if not database.database_exists(url):
        print(f"{name} does not exist: run python -m bench.generate first", file=sys.stderr)
        return 2
    static_root = database.RESULTS_DIR / "static"
    os.environ["STATIC_ROOT"] = str(static_root)
    database.django_setup(url)

    import django
    from django.conf import settings

    label = args.label or name.removeprefix(database.BENCH_PREFIX + "_") or name
    database.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"bench.run {label}: {name}", flush=True)
    from django.core.management import call_command

    # The database follows the code: a migration added since the data was loaded is applied first.
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as exc:  # a migration half-written next door: measure what works, say why
        print(f"  migrate failed ({exc}); measuring the database as it is", flush=True)
    found = fixtures()
    print(
        f"  {found['tickets']:,} tickets, {found['open_tickets']:,} open; technician {found['technician']}, "
        f"staff {found['staff']} ({found['staff_tickets']:,} tickets), manager {found['manager']}",
        flush=True,
    )
    pages = [(page, page.path.format(**found)) for page in PAGES]
    users = {"technician": found["technician"], "staff": found["staff"], "manager": found["manager"]}
    load_before = load_average()

    print("  the dashboard's stored figures, counted as beat and the recount task do...", flush=True)
    store_dashboard_figures(found["month"])
    print("  collectstatic, then SQL queries per request (in-process)...", flush=True)
    collect_static(static_root)
    queries = count_queries(pages, users)
    if args.explain:
        for _key, counted in queries.items():
            if counted.get("slowest_sql"):
                counted["explain"] = explain(counted["slowest_sql"][0]["sql"])

    print("  gunicorn, 2 workers...", flush=True)
    server = Gunicorn(url, static_root, database.RESULTS_DIR / f"{label}.gunicorn.log")
    try:
        server.wait_ready()
        page_results = measure_pages(server, pages, users, args)
        static = static_check(server)
        memory = server.worker_memory()
    finally:
        server.stop()

    print("  the dashboard's count, SLA sweep (in-process)...", flush=True)
    dashboard_count = measure_dashboard_count()
    recurrences = measure_recurrences()
    sweep = measure_sweep(due=args.due)
    speed = machine_speed()
    print("  monthly report build (own process)...", flush=True)
    report = measure_report_build(url)
    load_after = load_average()

    conn_max_age = settings.DATABASES["default"]["CONN_MAX_AGE"]
    result = {
        "label": label,
        "database": name,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": {**machine(), "postgres": found["postgres"], "django": django.get_version(), **speed},
        "load_average_before": load_before,
        "load_average_after": load_after,
        "server": f"gunicorn -w 2, DEBUG={settings.DEBUG}, CONN_MAX_AGE={conn_max_age}",
        "client": f"Python http.client; {args.connections} connections for {args.load_seconds:.0f} s",
        "fixtures": found,
        "pages": page_results,
        "queries": queries,
        "static": static,
        "workers": memory,
        "dashboard_count": dashboard_count,
        "recurrences": recurrences,
        "sweep": sweep,
        "report_build": report,
        "seconds": round(time.perf_counter() - started, 1),
    }
    output = database.RESULTS_DIR / f"{label}.json"
    output.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print()
    print(table(result))
    for line in goals(result):
        print(line)
    if "median_ms" in recurrences:
        print(
            f"recurrence finder: {recurrences['incidents']:,} incidents in the look-back window, "
            f"{recurrences['proposals']:,} proposals ({recurrences['proposed_tickets']:,} tickets), "
            f"{recurrences['median_ms']:.0f} ms, {recurrences['queries']} queries"
        )
    if memory:
        print(
            "gunicorn workers after the run: "
            + ", ".join(f"{w['rss_mb']:.0f} MB (peak {w['peak_rss_mb']:.0f})" for w in memory)
        )
    if "seconds" in report:
        stages = ", ".join(f"{name} {sec:.1f} s" for name, sec in report.get("stages_seconds", {}).items())
        print(
            f"monthly report {report['month']}: {report['seconds']:.1f} s ({stages}), peak memory "
            f"{report['peak_rss_mb']:.0f} MB ({report['peak_over_start_mb']:.0f} MB over the process's start)"
        )
    print(
        f"static: {static['path']} {static['content_encoding'] or 'uncompressed'}, {static['cache_control']}"
    )
    loops = [ms for page in page_results.values() for ms in page.get("python_loop_ms", [])]
    during = f"; {min(loops):.0f}-{max(loops):.0f} ms around the pages" if loops else ""
    print(
        f"machine speed: Python reference loop {speed['python_loop_ms']:.1f} ms (best of 7){during}; "
        f"PostgreSQL SELECT 1 round trip {speed['select_1_us']:.0f} µs (median of 500)"
    )
    print(f"load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}; results in {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
