"""Fault tests against the real stack: PostgreSQL, Redis and Celery worker processes.

They need a database that other processes can open, so they run on PostgreSQL only (CI requires it;
a SQLite run of `make test` skips them and says so). Each worker listens on a queue of its own.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith(
        "postgresql"
    ) and settings.CELERY_BROKER_URL.startswith("redis"):
        return
    if os.environ.get("REQUIRE_SERVICES"):
        raise pytest.UsageError("The reliability tests need PostgreSQL and Redis, which CI requires.")
    skip = pytest.mark.skip(reason="needs PostgreSQL and Redis (CI runs these; SQLite run skips them)")
    for item in items:
        if "tests/reliability" in str(item.fspath):
            item.add_marker(skip)


class Worker:
    """A Celery worker process of our app, on its own queue, using the test database."""

    def __init__(self, queue: str, concurrency: int = 1):
        self.queue = queue
        env = os.environ.copy()
        db = connection.settings_dict
        user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{db['NAME']}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "servicedesk",
                "worker",
                "--loglevel=INFO",
                "-Q",
                queue,
                "-n",
                f"{queue}-{uuid.uuid4().hex[:6]}@%h",
                "--concurrency",
                str(concurrency),
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: kill -9 reaches the pool children too
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.stdout.read() if self.process.stdout else ""


@pytest.fixture
def workers():
    started: list[Worker] = []
    queue = f"faults-{uuid.uuid4().hex[:10]}"

    def start(concurrency: int = 1) -> Worker:
        worker = Worker(queue, concurrency)
        started.append(worker)
        return worker

    start.queue = queue
    yield start
    for worker in started:
        worker.stop()


def wait_for(condition, timeout: float = 90, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def database_answers() -> bool:
    """After a PostgreSQL restart: True once a new connection gets through."""
    try:
        connection.close()
        connection.ensure_connection()
        return True
    except Exception:
        return False


@pytest.fixture
def migration_data(transactional_db):
    from tests.migration_data import load_migration_data

    load_migration_data()


@pytest.fixture
def throwaway_postgres(transactional_db):
    """Point the app (this process, and the workers started after this) at a PostgreSQL cluster of the
    test's own, migrated, which the test may kill or restart; the machine's own server is never touched.
    Removed at the end, and the app pointed back at the usual test database."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from .throwaway_postgres import ThrowawayPostgres, server_binaries

    binaries = server_binaries()
    if binaries is None:
        message = "needs PostgreSQL's initdb and pg_ctl (Debian: /usr/lib/postgresql/<version>/bin)"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = ThrowawayPostgres(binaries)
    saved = dict(connection.settings_dict)
    machine_server_started = _server_started(saved)
    try:
        cluster.create()
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(cluster.port))
        with connection._nodb_cursor() as cursor:  # the "postgres" database, outside a transaction
            cursor.execute(f'CREATE DATABASE "{saved["NAME"]}"')
        call_command("migrate", verbosity=0, interactive=False)
        ContentType.objects.clear_cache()
        yield cluster
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        ContentType.objects.clear_cache()
        cluster.remove()
    assert _server_started(saved) == machine_server_started, "the machine's own PostgreSQL was restarted"


def _server_started(settings_dict: dict) -> object:
    """When the server these settings reach started (pg_postmaster_start_time), on a connection of its own."""
    import psycopg2

    with (
        psycopg2.connect(
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"] or "postgres",
            password=settings_dict["PASSWORD"] or None,
            dbname=settings_dict["NAME"],
            connect_timeout=10,
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT pg_postmaster_start_time()")
        started = cursor.fetchone()[0]
    conn.close()
    return started
