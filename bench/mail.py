"""Mail in (issue 21): messages taken per second from an IMAP mailbox of 1,000 and through the pipe.

    python -m bench.mail [--messages 1000] [--pipe-processes 50]

Builds its own database (`servicedesk_bench_mail`, dropped and made afresh each run), the 157 staff of
Table 1 with municipal addresses and one mailbox; starts Debian's Dovecot on a free port
(bench/mail_servers.py) and fills its INBOX with `--messages` mails as the desk gets them: 80 % new
faults from known staff (one in ten with a picture), 10 % replies to earlier ones by the reference in the
subject, 5 % out-of-office auto-replies, 5 % from unknown municipal addresses. Then it measures

- IMAP: beat's poll (`mailin.imap.mailboxes_poll`) until the mailbox has nothing unseen: messages per
  second, each fetched, logged as a ticket or comment through incidents' services, marked seen;
- the pipe's code path in one process (`services.message_ingest` over the same mails with new
  Message-IDs): what an always-running process would do;
- the pipe as an MTA runs it: `manage.py mail_ingest` as one process per message, `--pipe-processes`
  times (Python and Django start each time).

Results: var/bench/mail.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from email.message import EmailMessage
from email.utils import make_msgid

from bench import database

DATABASE = f"{database.SERVER}/servicedesk_bench_mail"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def _mails(count: int, people: list[str], seed: int = 7) -> list[tuple[str, bytes]]:
    """(kind, raw) for `count` mails. A reply answers one of its sender's own earlier tickets by the
    reference in the subject (tickets are numbered in the order their mails arrive, in a fresh database)."""
    rng = random.Random(seed)  # noqa: S311 - which mails, not secrets
    mails = []
    tickets_of: dict[str, list[int]] = {}
    made = 0
    for n in range(count):
        roll = rng.random()
        message = EmailMessage()
        sender = rng.choice(people)
        kind = "new"
        subject = rng.choice(
            [
                "Printer jams on every page",
                "Cannot open the payroll system",
                "No network at the Willowvale office",
                "Outlook asks for my password again",
                "Request: new user account for an intern",
            ]
        )
        replying_to = [owner for owner in tickets_of if tickets_of[owner]]
        if roll < 0.10 and replying_to:
            sender = rng.choice(replying_to)
            kind, subject = "reply", f"RE: [INC-{rng.choice(tickets_of[sender]):06d}] {subject}"
        elif roll < 0.15:
            kind, subject = "auto", f"Automatic reply: {subject}"
            message["Auto-Submitted"] = "auto-replied"
        elif roll < 0.20:
            kind, sender = "unknown", f"new.person{n}@mbashe.gov.za"
        if kind in ("new", "unknown"):
            made += 1
            tickets_of.setdefault(sender, []).append(made)
        message["From"] = sender
        message["To"] = "ict@mbashe.gov.za"
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(idstring=f"bench{n}", domain="mbashe.gov.za")
        message.set_content(
            "Good morning\n\nIt stopped working after the power came back. Please help.\n\n"
            "Thanks\n-- \nFinance"
        )
        if kind == "new" and rng.random() < 0.1:
            message.add_attachment(PNG, maintype="image", subtype="png", filename="screen.png")
        mails.append((kind, message.as_bytes()))
    return mails


def _prepare(messages: int) -> tuple[list[tuple[str, bytes]], object]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from catalogue.models import Service
    from common.access import STAFF
    from mailin.models import Mailbox
    from sites.models import Site

    site = Site.objects.order_by("pk").first()
    staff = Group.objects.get(name=STAFF)
    people = []
    for n in range(157):
        user = get_user_model().objects.create(
            username=f"staff{n:03d}", email=f"staff{n:03d}@mbashe.gov.za", site=site
        )
        user.groups.add(staff)
        people.append(user.email)
    service = Service.objects.filter(status="live", offers_incidents=True).order_by("pk").first()
    mailbox = Mailbox.objects.create(
        name="ICT desk",
        address="ict@mbashe.gov.za",
        host="127.0.0.1",
        use_ssl=False,
        username="desk",
        secret_env="BENCH_MAILBOX_SECRET",  # noqa: S106 - the name of a variable, not a secret
        service=service,
        site=site,
    )
    return _mails(messages, people), mailbox


def measure(messages: int, pipe_processes: int) -> dict:
    from django.conf import settings
    from django.db.models import Count

    from bench.mail_servers import PASSWORD, Dovecot
    from incidents.models import Ticket
    from mailin.imap import mailboxes_poll
    from mailin.models import InboundMessage, Mailbox
    from mailin.services import message_ingest

    mails, mailbox = _prepare(messages)
    os.environ["BENCH_MAILBOX_SECRET"] = PASSWORD
    settings.MAIL_POLL_BATCH = messages
    settings.MAIL_SENDER_HOURLY_LIMIT = 10_000  # a benchmark sender writes more than a person does
    server = Dovecot()
    server.start()
    results: dict = {"messages": messages}
    try:
        Mailbox.objects.filter(pk=mailbox.pk).update(port=server.port)
        started = time.perf_counter()
        server.append(*(raw for _kind, raw in mails))
        results["append_seconds"] = round(time.perf_counter() - started, 2)

        started, cpu = time.perf_counter(), time.process_time()
        polls = 0
        while server.unseen():
            Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=None, polling_until=None)
            [poll] = mailboxes_poll()
            polls += 1
            if not poll.ok:
                raise SystemExit(f"poll failed: {poll.error}")
        seconds = time.perf_counter() - started
        results["imap"] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "per_second": round(messages / seconds, 1),
            "polls": polls,
            "outcomes": dict(
                InboundMessage.objects.values_list("outcome").order_by().annotate(n=Count("id"))
            ),
            "tickets": Ticket.objects.count(),
        }

        # The pipe's code path in one process: the same mails, new Message-IDs.
        renamed = [raw.replace(b"@mbashe.gov.za>", b".pipe@mbashe.gov.za>", 1) for _kind, raw in mails]
        started, cpu = time.perf_counter(), time.process_time()
        for raw in renamed:
            message_ingest(raw=raw, mailbox=mailbox, via="pipe")
        seconds = time.perf_counter() - started
        results["pipe_in_process"] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "per_second": round(messages / seconds, 1),
        }

        # The pipe as the MTA runs it: a process per message.
        env = {**os.environ, "MAIL_SENDER_HOURLY_LIMIT": "10000"}
        command = [sys.executable, "manage.py", "mail_ingest", "--mailbox", "ict@mbashe.gov.za"]
        started = time.perf_counter()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        for raw in renamed[:pipe_processes]:
            raw = raw.replace(b".pipe@mbashe.gov.za>", b".mta@mbashe.gov.za>", 1)
            done = subprocess.run(  # noqa: S603 - our own manage.py
                command, input=raw, capture_output=True, env=env, cwd=database.BASE_DIR
            )
            if done.returncode != 0:
                raise SystemExit(f"mail_ingest exited {done.returncode}: {done.stderr.decode()[-500:]}")
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        results["pipe_processes"] = {
            "messages": pipe_processes,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime, 2),
            "per_second": round(pipe_processes / seconds, 2),
        }
    finally:
        server.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--pipe-processes", type=int, default=20)
    parser.add_argument("--database-url", default=DATABASE)
    args = parser.parse_args(argv)
    database.check_bench_name(args.database_url)
    os.environ["LOG_LEVEL"] = "WARNING"  # one log line per mail would be part of the figure
    if database.database_exists(args.database_url):
        database.database_drop(args.database_url)
    database.database_create(args.database_url)
    database.django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = measure(args.messages, args.pipe_processes)
    database.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (database.RESULTS_DIR / "mail.json").write_text(json.dumps(results, indent=2, default=str))
    load = os.getloadavg()[0]
    print(f"mail in, {results['messages']:,} messages ({results['imap']['outcomes']}); load {load:.1f}")
    for name, label in (
        ("imap", "IMAP poll (Dovecot), one process"),
        ("pipe_in_process", "the pipe's code path, one process"),
        ("pipe_processes", "mail_ingest, one process per message"),
    ):
        figures = results[name]
        count = figures.get("messages", results["messages"])
        print(
            f"  {label:<40} {figures['per_second']:>7} messages/s  "
            f"({count} in {figures['seconds']} s; our process's CPU {figures['cpu_seconds']} s)"
        )


if __name__ == "__main__":
    main()
