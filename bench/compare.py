"""Print the figures of several benchmark runs side by side, so growth with the data shows.

python -m bench.compare 10k 100k        (reads var/bench/10k.json and var/bench/100k.json)
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.database import RESULTS_DIR
from bench.run import figures, render

SHOWN = (
    ("median_ms", "ms"),
    ("p95_ms", "p95"),
    ("floor_ratio", "x healthz"),
    ("tail_ratio", "p95/med"),
    ("per_second", "req/s"),
    ("queries", "queries"),
)
SHOWN_LAST = (("sql_ms", "SQL ms"), ("kb", "KB"))


# Issue 22: at 1,000,000 tickets these answer within 20 % of their 100,000 figures, same query count.
GROWTH_PAGES = ("queue", "ticket", "api_tickets", "dashboard")
GOAL_GROWTH = 1.2


def growth(first: dict, last: dict) -> str:
    """The growth goal between two runs (the smaller data set first): each page's median in the last over
    the first, judged on the ratio to /healthz of each run (two runs are two moments of the machine), and
    its query count, which must not change."""
    met, missed = [], []
    for key in GROWTH_PAGES:
        before, after = first["pages"].get(key, {}), last["pages"].get(key, {})
        if "floor_ratio" not in before or "floor_ratio" not in after:
            missed.append(f"{key} not measured")
            continue
        times = after["floor_ratio"] / before["floor_ratio"]
        queries = (first["queries"].get(key, {}).get("queries"), last["queries"].get(key, {}).get("queries"))
        text = f"{key} {times:.2f}x" + (
            "" if queries[0] == queries[1] else f", queries {queries[0]} -> {queries[1]}"
        )
        (met if times <= GOAL_GROWTH and queries[0] == queries[1] else missed).append(text)
    verdict = "MET" if not missed else "NOT MET"
    return (
        f"goal {last['label']} within {GOAL_GROWTH - 1:.0%} of {first['label']} (x healthz, same queries): "
        f"{verdict}; " + "; ".join(missed + met)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n")[0])
    parser.add_argument("labels", nargs="+", help="result names under var/bench/ (e.g. 10k 100k)")
    args = parser.parse_args(argv)
    results = []
    for label in args.labels:
        path = RESULTS_DIR / f"{label}.json"
        if not path.exists():
            print(
                f"no results for {label} ({path}): run python -m bench.run --label {label}", file=sys.stderr
            )
            return 2
        results.append(json.loads(path.read_text()))

    per_run = [dict(figures(result)) for result in results]
    labels = list(dict.fromkeys(label for run in per_run for label in run))
    header = [""]
    for result in results:
        header += [f"{result['label']} {title}" for _, title in (*SHOWN, *SHOWN_LAST)]
    rows = []
    for label in labels:
        row = [label]
        for run in per_run:
            cells = run.get(label, {})
            value = cells.get
            if cells.get("status") not in (None, "200", "ok"):
                row += [cells["status"], *["-"] * (len(SHOWN) + len(SHOWN_LAST) - 1)]
                continue
            if label.startswith(("SLA sweep", "Monthly report", "Recurrence finder", "Dashboard's month")):
                # In-process jobs: their time goes in the median column.
                row += [
                    value("in_process_ms", "-"),
                    "-",
                    "-",
                    "-",
                    "-",
                    value("queries", "-"),
                    value("sql_ms", "-"),
                    "-",
                ]
                continue
            row += [value(key, "-") for key, _ in SHOWN] + [value(key, "-") for key, _ in SHOWN_LAST]
        rows.append(row)
    print(render(header, rows))
    print("ms, p95: median and 95th percentile per request (one at a time); req/s: with 4 connections;")
    print("queries, SQL ms: per request, in-process; sweeps and report: in-process time in the ms column")
    print(
        "x healthz: the median over /healthz's asked in turn with it; p95/med: the page's p95 over its median"
    )
    if len(results) > 1:
        print(growth(results[0], results[-1]))
    for result in results:
        fixtures = result["fixtures"]
        workers = ", ".join(f"{worker['rss_mb']:.0f} MB" for worker in result.get("workers", [])) or "-"
        pressures = [
            page["cpu_pressure"][0]
            for page in result["pages"].values()
            if page.get("cpu_pressure") and page["cpu_pressure"][0] is not None
        ]
        pressure = f"{max(pressures):.0f} %" if pressures else "-"
        loops = [ms for page in result["pages"].values() for ms in page.get("python_loop_ms", [])]
        speed = f"; Python reference loop {min(loops):.0f}-{max(loops):.0f} ms" if loops else ""
        print(
            f"{result['label']}: {fixtures['tickets']:,} tickets ({fixtures['open_tickets']:,} open) in "
            f"{result['database']}; run {result['when']}; load average {result['load_average_before'][0]:.2f}"
            f", CPU pressure before a page at most {pressure}{speed}; "
            f"gunicorn workers after the run {workers}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
