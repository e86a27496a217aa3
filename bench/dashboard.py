"""Time the manager's dashboard and /api/reports/kpis/ on a benchmark database, without changing it.

    python -m bench.dashboard --database-url postgres://postgres@127.0.0.1:5432/servicedesk_bench_100k \\
        [--repeat 5] [--explain]

Everything runs inside one transaction that is rolled back at the end: the migrations the database lacks
are applied in it (PostgreSQL's DDL is transactional), the manager's session is made in it, and nothing
stays. Prints, per page, the median and best wall time of the whole request (Django's test client, the
view, the template), its query count and the slowest statements; with --explain their EXPLAIN ANALYZE.
Also printed: the first request (cold: empty stored month figures, nothing warmed in the process) and
one request after the stored month figures were dropped again (cold store, warm process).
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

    from reports import stored_months
    from reports.periods import previous_month
    from servicedesk import roles

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

        for key, path in pages:
            stored_months.forget()
            times, counts, slowest = [], [], []
            for attempt in range(args.repeat + 1):
                result = timed(path)
                if result is None:
                    return 1
                elapsed, recorder = result
                if attempt == 0:
                    # The first one is cold: no stored month figures, templates and calendars unread.
                    first = (elapsed, len(recorder.statements))
                    continue
                times.append(elapsed)
                counts.append(len(recorder.statements))
                slowest = sorted(recorder.statements, key=lambda s: -s[0])[:3]
            stored_months.forget()
            cold_store = timed(path)
            if cold_store is None:
                return 1
            print(
                f"{key:<10} {path:<36} median {1000 * statistics.median(times):7.0f} ms, "
                f"best {1000 * min(times):7.0f} ms, {counts[-1]} queries (warm); "
                f"first {1000 * first[0]:.0f} ms, {first[1]} queries; "
                f"store emptied {1000 * cold_store[0]:.0f} ms, {len(cold_store[1].statements)} queries"
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
