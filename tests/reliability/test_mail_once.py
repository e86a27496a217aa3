"""Issue 14 "Mail": each notification is mailed once, on `make run`'s own stack and on Redis.

Under `make run` (SQLite, kombu's filesystem broker, a worker with two pool processes, beat) some "New
ticket ..." mails went out a second time 30-80 s later. The cause, seen in the worker's log: the send
task read the row, sent the mail and only then wrote `sent_at`, all in one transaction; on SQLite that
write must upgrade a read lock while another process (the other pool process, the web) writes, and
SQLite refuses it at once ("database is locked", no busy wait for a lock upgrade). The mail had gone, the
row still said "unsent", and the unsent-mail sweep (rows older than 30 s, every 60 s) mailed it again.
PostgreSQL hides it only until a commit fails after the mail server took the message.

This test runs real workers on a SQLite copy of the desk, logs tickets while they send (the contention
`make run` has), lets the sweep's grace period pass and runs the sweep: every mail must have gone out
exactly once. It runs on both brokers: the filesystem one `make run` uses and Redis (production).
"""

from __future__ import annotations

import contextlib
import email
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import ROOT, wait_for

TICKETS = 15
# `make run`'s worker: two pool processes. The table keeps its name when the model moved (state-only).
CELERY_WORKER = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "servicedesk",
    "worker",
    "-l",
    "INFO",
    "--concurrency",
    "2",
]

LOG_TICKETS = f"""
from django.contrib.auth import get_user_model
from catalogue.models import Service
from incidents import services
from sites.models import Site
staff = get_user_model().objects.get(username="staff")
service = next(s for s in Service.objects.order_by("pk") if s.can_be_chosen and "incident" in s.kinds)
site = Site.objects.order_by("pk").first()
for number in range({TICKETS}):
    services.ticket_log(requester=staff, service=service, site=site, summary=f"Printer jam {{number}}",
                        description="Paper stuck.", impact="low", urgency="low")
"""

SWEEP = """
from django.conf import settings
from servicedesk.celery import app
app.send_task(settings.CELERY_BEAT_SCHEDULE["notifications-send-unsent"]["task"])
"""


@pytest.fixture(scope="module")
def desk_file(tmp_path_factory) -> Path:
    """A migrated SQLite desk with the demo people (no tickets), made once and copied by each test."""
    var = tmp_path_factory.mktemp("desk")
    env = {**os.environ, "VAR_DIR": str(var), "DEBUG": "true", "CELERY_BROKER_URL": "filesystem://"}
    env.pop("DATABASE_URL", None)
    for command in (["migrate", "-v0"], ["demo_data", "--tickets", "0"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return var / "servicedesk.sqlite3"


def desk_env(var: Path, mail: Path, broker: str) -> dict[str, str]:
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "DEBUG": "true",
        "EMAIL_BACKEND": "tests.reliability.slow_mail.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail),
        "SLOW_MAIL_SECONDS": "0.02",
    }
    env.pop("DATABASE_URL", None)  # the SQLite file under VAR_DIR, as `make run`
    env.pop("CELERY_RESULT_BACKEND", None)
    env["CELERY_BROKER_URL"] = "filesystem://" if broker == "filesystem" else settings.CELERY_BROKER_URL
    return env


def manage_shell(env: dict[str, str], code: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def mails(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in folder.iterdir():
        for chunk in path.read_bytes().split(b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk)
                found.append((message["To"], message["Subject"]))
    return found


def rows(database: Path, query: str):
    with sqlite3.connect(database, timeout=20) as db:
        return db.execute(query).fetchall()


@pytest.mark.worker
@pytest.mark.parametrize("broker", ["filesystem", "redis"])
def test_each_mail_goes_out_once_while_the_desk_is_busy(broker, desk_file, tmp_path):
    var, mail = tmp_path / "var", tmp_path / "mail"
    var.mkdir()
    mail.mkdir()
    database = var / "servicedesk.sqlite3"
    shutil.copy(desk_file, database)
    env = desk_env(var, mail, broker)
    if broker == "redis":
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")  # nothing left by other tests
    worker = subprocess.Popen(
        [*CELERY_WORKER, "-n", f"mail-once-{broker}@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        # Given tickets logged while the worker sends their mails (requester and group, per ticket)
        manage_shell(env, LOG_TICKETS)
        total = rows(database, "SELECT count(*) FROM incidents_notification")[0][0]
        assert total >= 2 * TICKETS

        def settled() -> bool:
            before = len(mails(mail))
            time.sleep(5)
            return len(mails(mail)) == before > 0

        # Until the worker has taken every task: a task refused by the database sends nothing; the sweep
        # below is there for those.
        wait_for(settled, timeout=300, what="the worker to send the mails")
        # When the sweep's grace period has passed and beat runs the unsent-mail sweep
        rows(database, "UPDATE incidents_notification SET created_at = datetime(created_at, '-5 minutes')")
        manage_shell(env, SWEEP)
        with contextlib.suppress(AssertionError):  # what was sent is judged below
            wait_for(
                lambda: (
                    rows(database, "SELECT count(*) FROM incidents_notification WHERE sent_at IS NULL")
                    == [(0,)]
                ),
                timeout=60,
                what="every mail to be sent",
            )
        time.sleep(3)  # a second copy, if any, is on its way
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            log = worker.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:  # a worker stuck on a locked database: its log says why
            os.killpg(worker.pid, signal.SIGKILL)
            log = worker.communicate(timeout=30)[0]
    # Then every mail went out, and none twice
    sent = mails(mail)
    twice = {key: count for key, count in Counter(sent).items() if count > 1}
    assert twice == {}, f"{len(twice)} mails sent more than once; worker log:\n{log[-3000:]}"
    assert len(sent) == total, f"{total - len(sent)} mails not sent; worker log:\n{log[-3000:]}"
