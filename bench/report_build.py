"""Build last month's ManCo report (KPIs, CSV, XLSX, PDF) once, in this process; print its figures as JSON.

    python -m bench.report_build --database-url postgres://postgres@127.0.0.1:5432/servicedesk_bench_100k

bench.run starts it in a process of its own, so that the peak memory (VmHWM) is the build's and not the
gunicorn client's. Beside the wall-clock seconds it prints this process's CPU seconds (per stage too) and
the machine's load and CPU pressure before and after: on a shared machine the wall clock includes the time
spent waiting for a core, the CPU seconds do not. The build is reports.services.report_run_build, the
function the Celery task calls, on a run made for the purpose inside a transaction that is rolled back:
the database is left as it was, and the files go to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import database


def _memory_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _machine() -> dict:
    """The load average (1 min) and the CPU pressure (share of the last 10 s some task waited for a CPU)."""
    load = round(os.getloadavg()[0], 2)
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        pressure = float(dict(part.split("=") for part in line.split()[1:])["avg10"])
    except (OSError, IndexError, KeyError, ValueError):
        pressure = None
    return {"load_1min": load, "cpu_pressure_avg10_pct": pressure}


def _timed(module, name: str, stages: dict, cpu: dict) -> None:
    """Wrap module.name so that each call adds its wall seconds to stages[name], its CPU seconds to
    cpu[name]."""
    function = getattr(module, name)

    def wrapper(*args, **kwargs):
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            stages[name] = round(stages.get(name, 0) + time.perf_counter() - started, 2)
            cpu[name] = round(cpu.get(name, 0) + time.process_time() - cpu_started, 2)

    setattr(module, name, wrapper)


def measure(media_root: Path) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from common import access as roles
    from reports import documents, kpis, services
    from reports.models import ReportRun
    from reports.periods import previous_month

    settings.MEDIA_ROOT = str(media_root)
    manager = (
        get_user_model().objects.filter(groups__name=roles.MANAGER, is_active=True).order_by("pk").first()
    )
    if manager is None:
        return {"status": "no manager in the database"}
    month = previous_month(timezone.now())
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    _timed(kpis, "month_report", stages, cpu)
    for name in ("build_tickets_csv", "build_xlsx", "build_pdf"):
        _timed(documents, name, stages, cpu)
    rss_before = _memory_mb("VmRSS")
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    machine_before = _machine()
    with transaction.atomic():
        run = services._create_run(month=month, by=manager, automatic=False)
        with connection.execute_wrapper(count):
            started, cpu_started = time.perf_counter(), time.process_time()
            built = services.report_run_build(run_id=run.pk)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        run.refresh_from_db()
        sizes = {name: getattr(run, name).size for name in ("pdf", "xlsx", "csv") if getattr(run, name)}
        status = run.status
        error = run.error
        transaction.set_rollback(True)
    result = {
        "status": "ok" if built and status == ReportRun.Status.DONE else f"failed: {status} {error}".strip(),
        "month": f"{month:%Y-%m}",
        "seconds": round(seconds, 2),
        "stages_seconds": stages,
        "cpu_seconds": round(cpu_seconds, 2),
        "stages_cpu_seconds": cpu,
        "machine_before": machine_before,
        "machine_after": _machine(),
        "queries": queries,
        "rss_before_mb": rss_before,
        "peak_rss_mb": _memory_mb("VmHWM"),
        "kb": {name: round(size / 1024, 1) for name, size in sizes.items()},
    }
    result["peak_over_start_mb"] = round(result["peak_rss_mb"] - rss_before, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_build", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)
    database.django_setup(args.database_url)
    media_root = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        result = measure(media_root)
    except Exception as exc:  # say what broke; bench.run reports it in its table
        result = {"status": f"error: {type(exc).__name__}: {exc}"[:300]}
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
