"""The worker really killed (SIGKILL) between the ticket's commit and marking the message seen, and the
pipe's process run as an MTA runs it: separate processes on the test database, so PostgreSQL only (CI
requires it; a SQLite run skips these and says so, as tests/reliability does)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from incidents.models import Ticket
from mailin.models import InboundMessage
from tests.migration_data import load_migration_data

from .mails import bounce, mail

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def committed(transactional_db):
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("These tests need PostgreSQL, which CI requires.")
        pytest.skip("needs PostgreSQL: the processes share the test database")
    load_migration_data()


def _env() -> dict[str, str]:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return {**os.environ, "DATABASE_URL": f"postgres://{user}@{host}:{port}/{db['NAME']}"}


def test_poll_killed_between_commit_and_seen_gives_one_ticket(committed, request, nomsa, dovecot):
    mailbox = request.getfixturevalue("imap_mailbox")
    dovecot.append(mail(sender=nomsa.email, subject="First"), mail(sender=nomsa.email, subject="Second"))

    died = subprocess.run(
        [sys.executable, "-m", "tests.mailin.dying_poll"],  # from ROOT: this tree, not an installed one
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        timeout=120,
    )
    assert died.returncode == -signal.SIGKILL, died.stderr.decode()[-2000:]
    assert Ticket.objects.count() == 1  # committed before the kill
    assert dovecot.unseen() == 2  # but not marked seen

    mailbox.refresh_from_db()
    mailbox.polling_until = None  # the dead poll's lease; beat would wait for it to lapse
    mailbox.save()
    again = subprocess.run(
        [sys.executable, "manage.py", "mail_poll"], cwd=ROOT, env=_env(), capture_output=True, timeout=120
    )
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    assert sorted(Ticket.objects.values_list("summary", flat=True)) == ["First", "Second"]
    assert InboundMessage.objects.count() == 2 and dovecot.unseen() == 0


def _pipe(raw: bytes) -> int:
    command = [sys.executable, "manage.py", "mail_ingest", "--mailbox", "ict@mbashe.gov.za"]
    return subprocess.run(
        command, input=raw, cwd=ROOT, env=_env(), capture_output=True, timeout=120
    ).returncode


def test_the_pipe_as_an_mta_runs_it(committed, mailbox, nomsa):
    raw = mail(sender=nomsa.email)
    assert _pipe(raw) == 0
    assert _pipe(raw) == 0  # delivered again (the MTA lost our answer): still one ticket
    assert _pipe(bounce()) == 0  # deliberately ignored
    assert Ticket.objects.count() == 1
    env = {**_env(), "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere"}
    command = [sys.executable, "manage.py", "mail_ingest", "--mailbox", "ict@mbashe.gov.za"]
    down = subprocess.run(command, input=mail(sender=nomsa.email), cwd=ROOT, env=env, capture_output=True)
    assert down.returncode == 75  # the database is down: the MTA keeps the mail and retries
