"""Time the manager's dashboard and /api/reports/kpis/ on a benchmark database, without changing it.

    python -m bench.dashboard --database-url postgres://postgres@127.0.0.1:5432/servicedesk_bench_100k \\
        [--repeat 5] [--explain]

Everything runs inside one transaction that is rolled back at the end: the migrations the database lacks
are applied in it (PostgreSQL's DDL is transactional), the manager's session is made in it, and nothing
stays. Prints, per page, the median and best wall time of the whole request (Django's test client, the
view, the template), its query count and the slowest statements; with --explain their EXPLAIN ANALYZE.
Per page, two medians: *served* (every request since issue 22: requests only read the stored report)
and *counted* (the report counted and kept as beat and the recount task do, `kpis.month_report(...,
stored=True)`, the ended months' figures kept). Also printed: the first count (cold: nothing stored,
nothing warmed in the process) and one count after everything stored was dropped again (cold store,
warm process).
bench.run measures every page through gunicorn; this is the quick loop for the KPI queries alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench import database


class Recorder:
    def __init__(self):
        self.statements: list[tuple[float, str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.perf_counter() - started, sql, params))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=f"{database.SERVER}/servicedesk_bench_10k")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--month", default="", help="YYYY-MM for the API (default: last month)")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    database.check_bench_name(args.database_url)
    database.django_setup(args.database_url)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import override_settings

    from common import access as roles
    from reports import kpis, stored_months
    from reports.models import StoredReport
    from reports.periods import month_period, parse_month, previous_month, this_month

    month = args.month or f"{previous_month():%Y-%m}"
    pages = [("dashboard", "/dashboard/"), ("api_kpis", f"/api/reports/kpis/?month={month}")]
    # Static files from the source folders (no collectstatic manifest needed for this).
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain), transaction.atomic():
        call_command("migrate", interactive=False, verbosity=0)
        manager = get_user_model().objects.filter(groups__name=roles.MANAGER, is_active=True).first()
        client = Client()
        client.force_login(manager)

        def timed(path: str) -> tuple[float, Recorder] | None:
            recorder = Recorder()
            started = time.perf_counter()
            with connection.execute_wrapper(recorder):
                response = client.get(path, HTTP_HOST="127.0.0.1")
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                print(f"{path}: HTTP {response.status_code}", file=sys.stderr)
                return None
            return elapsed, recorder

        def count(path: str) -> tuple[float, Recorder]:
            """What beat or the recount task pays to count the page's report (no request counts)."""
            period = month_period(parse_month(month)) if "month=" in path else month_period(this_month())
            recorder = Recorder()
            started = time.perf_counter()
            with connection.execute_wrapper(recorder):
                kpis.month_report(period, kpis.ALL, stored=True)
            return time.perf_counter() - started, recorder

        def measured(path: str, drop_report: bool) -> tuple[list[float], list[int], list] | None:
            times, counts, slowest = [], [], []
            for _ in range(args.repeat):
                if drop_report:
                    StoredReport.objects.all().delete()
                result = count(path) if drop_report else timed(path)
                if result is None:
                    return None
                elapsed, recorder = result
                times.append(elapsed)
                counts.append(len(recorder.statements))
                slowest = sorted(recorder.statements, key=lambda s: -s[0])[:3]
            return times, counts, slowest

        for key, path in pages:
            stored_months.forget()
            # The first count is cold: nothing stored, calendars unread.
            first = count(path)
            counted = measured(path, drop_report=True)
            served = measured(path, drop_report=False)
            stored_months.forget()
            cold_store = count(path)
            if None in (first, counted, served, cold_store):
                return 1
            times, counts, slowest = counted
            first_ms, first_queries = 1000 * first[0], len(first[1].statements)
            emptied_ms, emptied_queries = 1000 * cold_store[0], len(cold_store[1].statements)
            print(
                f"{key:<10} {path:<36} served: median {1000 * statistics.median(served[0]):6.0f} ms, "
                f"best {1000 * min(served[0]):6.0f} ms, {served[1][-1]} queries; "
                f"counted: median {1000 * statistics.median(times):6.0f} ms, "
                f"best {1000 * min(times):6.0f} ms, {counts[-1]} queries; "
                f"first {first_ms:.0f} ms, {first_queries} queries; "
                f"store emptied {emptied_ms:.0f} ms, {emptied_queries} queries"
            )
            for seconds, sql, _params in slowest:
                print(f"    {1000 * seconds:7.0f} ms  {sql[:150]}")
            if args.explain:
                for _seconds, sql, params in slowest[:2]:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL jit = off")
                        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                        print("\n".join(row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
