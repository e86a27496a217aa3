"""Knowledge search at size (issue 19: "search answers in under 50 ms at 10,000 articles").

    python -m bench.knowledge [--articles 10000] [--database-url .../servicedesk_bench_kb10k] [--recreate]

Creates and migrates its own database when missing (`servicedesk_bench_kb<size>`; --recreate drops it
first), loads published articles written from the generator's municipal ticket words (titles such as
"Printer not printing at Dutywa", bodies of 120-250 words), a few real ones among them, computes their
search vectors and ANALYZEs. A topic's words (password, printer, link) are in the articles about
that topic, as in a real knowledge base. Then, in this process against that database, for each query:
the help page's search (knowledge.selectors.search_page: the first page of 20 and the count, the loose
and typo passes included when all words find nothing) and the log form's suggestions
(knowledge.selectors.suggestions: 3 rows), median and p95 of 30 runs after 3 warm-ups; and the whole help
page, suggest fragment, API search (`/api/articles/?search=`) and API suggest (`/api/articles/suggest/`)
through django.test.Client (session, rendering, JSON), median and p95 of 15.
Results: var/bench/knowledge-<size>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from bench import database
from bench.texts import SUMMARIES

QUERIES = (
    ("one common word", "password"),
    ("three words", "printer not printing"),
    ("a word being typed", "prin"),
    ("a typo", "pasword"),
    ("another typo", "printr"),
    ("a place and a service", "vpn willowvale"),
    ("nothing matches", "qwertyuiop zxcvb"),
)
SITES = ("Dutywa", "Willowvale", "Elliotdale", "Idutywa Traffic", "Mbhashe Library", "Nqabara Clinic")
# Steps any article may hold, in no one topic's words.
GENERIC = (
    "Restart the computer once, wait two minutes, and try again before you log a ticket.",
    "If the problem affects everyone in the office, phone the ICT service desk on 047 489 5800.",
    "Write down the asset tag on the sticker under the device; it helps the technician find it quickly.",
    "Take a photo of any message on the screen and attach it when you log the ticket.",
    "Tell your supervisor if the work cannot wait, so that the ticket is given the right priority.",
    "Do not switch off equipment in the server room yourself; the desk will guide you on the phone.",
    "Most of these problems are solved within the day; you are told by e-mail when the ticket moves.",
    "Check that the cable is plugged in firmly at both ends and that the light next to it is on.",
)
# Steps that belong to one topic: only articles about it use them (a word is in a few per cent of the
# articles, as in a real knowledge base, not in every other one).
TOPICAL = {
    "password": "Your password must be at least twelve characters and may not be one of your last five.",
    "printer": "Clear the print queue: open Printers and scanners, choose the printer, then Cancel all.",
    "toner": "Replace the toner only with the cartridge type printed inside the printer's front cover.",
    "link": "The remote offices reach Dutywa over the MPLS link; when it is down, nothing reaches them.",
    "network": "During load-shedding the UPS keeps the switch running for about forty minutes only.",
    "e-mail": "E-mail on your phone needs the Outlook app; the built-in mail app cannot sign in.",
    "financial": "The financial system is slow at month end; save often and do not open two sessions.",
    "payroll": "Payslips are published on the 23rd; a missing payslip is usually a changed bank account.",
}
REAL = (
    ("Reset your password", "Forgot your password? Use **Forgot password** on the sign-in page."),
    ("Printer not printing: clear the print queue", "Open Printers and scanners and cancel all documents."),
    ("VPN or MPLS link down at Willowvale", "Check the router lights; phone the desk with the site name."),
)


def _topics(rng: random.Random) -> list[tuple[str, list[str], list[str]]]:
    """(service, its ticket summaries as titles, its topical steps) for every service of the texts."""
    topics = []
    for service, lines in SUMMARIES.items():
        words = f"{service} {' '.join(lines)}".lower()
        steps = [step for key, step in TOPICAL.items() if key in words]
        topics.append((service, lines, steps))
    return topics


def load(count: int, seed: int) -> float:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from common import access
    from knowledge.models import Article, ArticleStatus, Audience
    from knowledge.rendering import markdown_to_safe_html
    from knowledge.search import search_vectors_refresh, search_vocabulary_add

    began = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible words, not secrets
    users = get_user_model().objects
    author = users.create_user("kb-author", password=None)
    author.groups.add(Group.objects.get(name=access.TECHNICIAN))
    reader = users.create_user("kb-reader", password=None)
    reader.groups.add(Group.objects.get(name=access.STAFF))
    topics = _topics(rng)
    rows = []
    for n in range(count):
        if n < len(REAL):
            title, body = REAL[n]
        else:
            _service, lines, steps = rng.choice(topics)
            title = f"{rng.choice(lines).replace('{site}', rng.choice(SITES))} ({n})"
            paragraphs = [" ".join(line.replace("{site}", rng.choice(SITES)) + "." for line in lines)]
            paragraphs += [" ".join(rng.sample(GENERIC, 3)) for _ in range(rng.randint(1, 3))]
            paragraphs += [step for step in steps if rng.random() < 0.7]
            body = "\n\n".join(paragraphs)
        rows.append(
            Article(
                title=title[:200],
                body=body,
                body_html=markdown_to_safe_html(body),
                author=author,
                reviewer=author,
                audience=Audience.DESK if n % 10 == 9 else Audience.STAFF,
                status=ArticleStatus.PUBLISHED if n % 7 else ArticleStatus.DRAFT,
                views=rng.randint(0, 500),
            )
        )
    Article.objects.bulk_create(rows, batch_size=2000)
    search_vectors_refresh(Article.objects.all())
    search_vocabulary_add(*(f"{row.title} {row.body}" for row in rows))
    with connection.cursor() as cursor:
        # VACUUM cannot run in a transaction (a test's); ANALYZE alone gives the planner its figures.
        cursor.execute(
            "ANALYZE knowledge_article"
            if connection.in_atomic_block
            else "VACUUM (ANALYZE) knowledge_article"
        )
    return time.perf_counter() - began


def _timed(call, runs: int = 30, warm: int = 3) -> dict:
    for _ in range(warm):
        call()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
    }


def measure() -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from knowledge import selectors

    # The pages in-process read static files from their folders (no collectstatic for a benchmark).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    reader = get_user_model().objects.get(username="kb-reader")
    client = Client()
    client.force_login(reader)
    results = {}
    for label, q in QUERIES:

        def search(q=q):
            page = selectors.search_page(reader, q)
            return page.paginator.count, list(page.object_list)

        count, first = search()
        suggested = selectors.suggestions(reader, q)
        results[q] = {
            "label": label,
            "matches": count,
            "first": first[0].title if first else "",
            "suggested": [a.title for a in suggested],
            "search": _timed(search),
            "suggest": _timed(lambda q=q: selectors.suggestions(reader, q)),
            "help_page": _timed(lambda q=q: client.get("/help/", {"q": q}), runs=15),
            "suggest_fragment": _timed(lambda q=q: client.get("/help/suggest/", {"q": q}), runs=15),
            "api_search": _timed(lambda q=q: client.get("/api/articles/", {"search": q}), runs=15),
            "api_suggest": _timed(lambda q=q: client.get("/api/articles/suggest/", {"q": q}), runs=15),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url")
    parser.add_argument("--recreate", action="store_true")
    args = parser.parse_args()
    label = f"{args.articles // 1000}k" if args.articles % 1000 == 0 else str(args.articles)
    url = args.database_url or f"{database.SERVER}/servicedesk_bench_kb{label}"
    if args.database_url:  # e.g. make bench's ticket database, whose articles bench/itsm.py loaded
        label = database.database_name(url).removeprefix(database.BENCH_PREFIX).strip("_") or label
    database.check_bench_name(url)
    if args.recreate:
        database.database_drop(url)
    fresh = not database.database_exists(url)
    if fresh:
        database.database_create(url)
    database.django_setup(url)
    from django.core.management import call_command

    from knowledge.models import Article

    call_command("migrate", interactive=False, verbosity=0)
    load_seconds = load(args.articles, args.seed) if not Article.objects.exists() else None
    results = {
        "articles": Article.objects.count(),
        "load_seconds": round(load_seconds, 1) if load_seconds else None,
        "queries": measure(),
    }
    database.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = database.RESULTS_DIR / f"knowledge-{label}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"Knowledge search over {results['articles']:,} articles (staff reader; ms: median / p95)")
    print(
        f"{'query':<24} {'matches':>7} "
        + " ".join(f"{h:>15}" for h in ("search", "suggest", "help page", "fragment", "API", "API suggest"))
        + "  first"
    )
    for q, row in results["queries"].items():
        cells = [
            f"{row[k]['median_ms']:>6.1f} / {row[k]['p95_ms']:>6.1f}"
            for k in ("search", "suggest", "help_page", "suggest_fragment", "api_search", "api_suggest")
        ]
        print(f"{q:<24} {row['matches']:>7} {' '.join(f'{c:>15}' for c in cells)}  {row['first'][:40]}")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
