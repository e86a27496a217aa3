"""The SLA engine's own figures (issue 5): business-time arithmetic per second, the beat sweep over a big
database, and the lag from a due time to its recorded breach with a real worker, beat and broker.

    python -m bench.sla arithmetic [--database-url .../servicedesk_bench_10k]
    python -m bench.sla sweep --database-url postgres://postgres@127.0.0.1:5432/servicedesk_bench_100k
    python -m bench.sla lag [--tickets 200] [--broker redis://127.0.0.1:6379/9]
    python -m bench.sla all --database-url .../servicedesk_bench_100k     # the three, one table

`arithmetic` and `sweep` read a benchmark database (`python -m bench.generate`, docs/benchmarks.md); the
sweep with 1,000 clocks due runs inside a transaction that is rolled back. `lag` builds its own database
(`servicedesk_bench_sla_lag`, dropped and made afresh each run), logs tickets through the service
functions, makes their response clocks fall due over the next minute and a half, starts a Celery worker and
beat on the broker (the Redis database given is flushed first) and waits until every breach is recorded
and mailed; the figures are recorded_at - due_at and sent_at - due_at. Results: var/bench/sla.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import database

LAG_DATABASE = f"{database.SERVER}/servicedesk_bench_sla_lag"


def measure_arithmetic(seconds: float = 3.0, seed: int = 7) -> dict:
    """business_add and business_between calls per second on the municipal calendar (Monday-Friday
    08:00-16:30, public holidays closed), over random instants in 2025-2027 and durations of a minute to
    ten business days."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from slas.business_time import business_add, business_between
    from slas.calendars import build_spec
    from slas.models import BusinessCalendar

    spec = build_spec(BusinessCalendar.objects.get(name="Municipal business hours"))
    rng = random.Random(seed)  # noqa: S311 - reproducible cases, not secrets
    start = datetime(2025, 1, 1, tzinfo=ZoneInfo("Africa/Johannesburg"))
    cases = [
        (
            start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
            timedelta(minutes=rng.randrange(1, 5100)),
        )
        for _ in range(20_000)
    ]
    result = {}
    for name, call in (
        ("business_add", lambda at, span: business_add(spec, at, span)),
        ("business_between", lambda at, span: business_between(spec, at, at + span * 3)),
    ):
        done, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds:
            for at, span in cases[:2000]:
                call(at, span)
            done += 2000
            cases.append(cases.pop(0))
        elapsed = time.perf_counter() - began
        result[name] = {
            "calls": done,
            "per_second": round(done / elapsed),
            "us_per_call": round(elapsed / done * 1e6, 1),
        }
    return result


def measure_lag(*, tickets: int, broker: str, window_seconds: int = 60, timeout: float = 240.0) -> dict:
    """Real worker and beat; see the module's docstring."""
    import redis

    database.database_drop(LAG_DATABASE)
    database.database_create(LAG_DATABASE)
    env = {
        **os.environ,
        **database.bench_environment(LAG_DATABASE),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": "",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    python = sys.executable
    subprocess.run(  # noqa: S603
        [python, "manage.py", "migrate", "-v0"], env=env, check=True, cwd=database.BASE_DIR
    )
    redis.Redis.from_url(broker).flushdb()
    prepared = subprocess.run(  # noqa: S603
        [
            python,
            "-m",
            "bench.sla",
            "_prepare-lag",
            "--tickets",
            str(tickets),
            "--window",
            str(window_seconds),
        ],
        env=env,
        check=True,
        cwd=database.BASE_DIR,
        capture_output=True,
        text=True,
    )
    first_due, last_due = json.loads(prepared.stdout.strip().splitlines()[-1])
    with tempfile.TemporaryDirectory() as scratch:
        celery = str(Path(python).with_name("celery"))
        logs = Path(scratch)
        processes = [
            subprocess.Popen(  # noqa: S603
                [celery, "-A", "servicedesk", "worker", "--concurrency", "2", "--loglevel", "WARNING"],
                env=env,
                cwd=database.BASE_DIR,
                stdout=(logs / "worker.log").open("w"),
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(  # noqa: S603
                [
                    celery,
                    "-A",
                    "servicedesk",
                    "beat",
                    "-s",
                    str(logs / "beat-schedule"),
                    "--loglevel",
                    "WARNING",
                ],
                env=env,
                cwd=database.BASE_DIR,
                stdout=(logs / "beat.log").open("w"),
                stderr=subprocess.STDOUT,
            ),
        ]
        try:
            began = time.monotonic()
            while time.monotonic() - began < timeout:
                time.sleep(2)
                counted = subprocess.run(  # noqa: S603
                    [python, "-m", "bench.sla", "_lag-figures"],
                    env=env,
                    cwd=database.BASE_DIR,
                    capture_output=True,
                    text=True,
                )
                figures = json.loads(counted.stdout.strip().splitlines()[-1])
                if figures["breaches"] >= tickets and figures["mails_sent"] >= figures["mails"] > 0:
                    break
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)
    figures["tickets"] = tickets
    figures["due_from"], figures["due_to"] = first_due, last_due
    figures["sweep_interval_s"] = 30
    return figures


def _prepare_lag(tickets: int, window: int) -> None:
    """In the lag database: log `tickets` tickets and make their response clocks fall due one after
    another from 30 s to 30 + window s from now (warning and breach at the same instant)."""
    database.django_setup(os.environ["DATABASE_URL"])
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from catalogue.models import Service
    from common.access import MANAGER
    from incidents.services import ticket_log
    from sites.models import Site
    from slas.models import ClockKind, SlaClock

    User = get_user_model()
    requester = User.objects.create_user("lag-staff", email="staff@example.invalid", password=None)
    manager = User.objects.create_user("lag-manager", email="manager@example.invalid", password=None)
    manager.groups.add(*Group.objects.filter(name=MANAGER))
    site = Site.objects.order_by("pk").first()
    services = list(Service.objects.filter(status="live", offers_incidents=True).order_by("pk"))
    for number in range(tickets):
        ticket_log(
            requester=requester,
            service=services[number % len(services)],
            site=site,
            summary=f"Lag probe {number}",
            description="Benchmark ticket.",
            impact="medium",
            urgency="medium",
        )
    now = timezone.now()
    clocks = list(SlaClock.objects.filter(kind=ClockKind.RESPONSE).order_by("ticket_id"))
    for number, clock in enumerate(clocks):
        clock.warn_at = clock.due_at = clock.next_event_at = now + timedelta(
            seconds=30 + window * number / len(clocks)
        )
    SlaClock.objects.bulk_update(clocks, ["warn_at", "due_at", "next_event_at"])
    print(json.dumps([clocks[0].due_at.isoformat(), clocks[-1].due_at.isoformat()]))


def _lag_figures() -> None:
    database.django_setup(os.environ["DATABASE_URL"])
    from common.models import Notification
    from slas.models import SlaEvent

    breaches = list(SlaEvent.objects.filter(kind="breach").values_list("due_at", "recorded_at"))
    lags = sorted((recorded - due).total_seconds() for due, recorded in breaches)
    due_of = dict(SlaEvent.objects.values_list("pk", "due_at"))
    mails = list(Notification.objects.filter(key__startswith="sla:").values_list("key", "sent_at"))
    sent = sorted(
        (sent_at - due_of[int(key.split(":")[4])]).total_seconds()
        for key, sent_at in mails
        if sent_at is not None
    )
    print(
        json.dumps(
            {
                "breaches": len(breaches),
                "recorded_lag_s": _summary(lags),
                "mails": len(mails),
                "mails_sent": len(sent),
                "mail_lag_s": _summary(sent),
            }
        )
    )


def _summary(values: list[float]) -> dict:
    if not values:
        return {}
    return {
        "median": round(statistics.median(values), 1),
        "p95": round(values[min(len(values) - 1, int(len(values) * 0.95))], 1),
        "max": round(max(values), 1),
        "min": round(min(values), 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["arithmetic", "sweep", "lag", "all", "_prepare-lag", "_lag-figures"])
    parser.add_argument("--database-url", default=f"{database.SERVER}/servicedesk_bench_10k")
    parser.add_argument("--tickets", type=int, default=200, help="lag: tickets made due")
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument(
        "--broker", default="redis://127.0.0.1:6379/9", help="lag: a Redis database to flush and use"
    )
    parser.add_argument("--due", type=int, default=1000, help="sweep: clocks made due at once")
    args = parser.parse_args(argv)
    if args.what == "_prepare-lag":
        return _prepare_lag(args.tickets, args.window)
    if args.what == "_lag-figures":
        return _lag_figures()

    results: dict = {}
    if args.what in ("arithmetic", "sweep", "all"):
        if not database.database_exists(args.database_url):
            raise SystemExit(
                f"{database.database_name(args.database_url)} is missing: run python -m bench.generate"
            )
        database.check_bench_name(args.database_url)
        database.django_setup(args.database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        results["database"] = database.database_name(args.database_url)
        if args.what in ("arithmetic", "all"):
            results["arithmetic"] = measure_arithmetic()
        if args.what in ("sweep", "all"):
            from bench.run import measure_sweep

            results["sweep"] = measure_sweep(due=args.due)
            results["sweep"]["nothing_due"].pop("sql", None)
    if args.what in ("lag", "all"):
        results["lag"] = measure_lag(tickets=args.tickets, broker=args.broker, window_seconds=args.window)

    database.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (database.RESULTS_DIR / "sla.json").write_text(json.dumps(results, indent=2, default=str))
    _print(results)


def _print(results: dict) -> None:
    rows = []
    if "arithmetic" in results:
        for name, figures in results["arithmetic"].items():
            rows.append(
                (
                    f"{name} (municipal calendar)",
                    f"{figures['per_second']:,} calls/s ({figures['us_per_call']} µs)",
                )
            )
    if "sweep" in results:
        sweep = results["sweep"]
        quiet = sweep["nothing_due"]
        rows.append(
            (
                f"sweep, nothing due ({sweep['running_clocks']:,} running clocks)",
                f"{quiet['median_ms']} ms, {quiet['queries']} queries",
            )
        )
        due = sweep.get("due", {})
        if "median_ms" in due:
            rows.append(
                (
                    f"sweep, {due['clocks_due']:,} clocks due ({due['events_recorded']:,} events)",
                    f"{due['median_ms'] / 1000:.1f} s, {due['queries']:,} queries",
                )
            )
    if "lag" in results:
        lag = results["lag"]
        rows.append(
            (
                f"due -> breach recorded ({lag['breaches']} of {lag['tickets']})",
                _lag_words(lag["recorded_lag_s"]),
            )
        )
        rows.append(
            (
                f"due -> breach mail sent ({lag['mails_sent']} of {lag['mails']})",
                _lag_words(lag["mail_lag_s"]),
            )
        )
    width = max(len(label) for label, _ in rows) if rows else 0
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


def _lag_words(summary: dict) -> str:
    if not summary:
        return "nothing recorded"
    return f"median {summary['median']} s, p95 {summary['p95']} s, max {summary['max']} s"


if __name__ == "__main__":
    main()
