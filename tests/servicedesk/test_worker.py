"""A task sent through the real broker (Redis in CI) is run by a real Celery worker process."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from servicedesk.celery import app as celery_app
from servicedesk.tasks import echo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    """A worker process of our Celery app, on a queue of its own so no other worker takes the task."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "servicedesk",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.worker
def test_task_round_trip_through_the_real_broker(worker):
    queue, process = worker
    token = uuid.uuid4().hex

    result = echo.apply_async(args=[token], queue=queue)
    try:
        answer = result.get(timeout=60)
    except Exception:
        process.terminate()
        output = process.communicate(timeout=20)[0]
        pytest.fail(f"worker gave no answer; its log:\n{output[-4000:]}")

    assert answer["value"] == token
    assert answer["pid"] != os.getpid()  # another process ran it
    assert answer["pid"] == process.pid  # our worker, solo pool: the task ran in that process


def test_reliability_settings_are_in_force():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.timezone == "Africa/Johannesburg"
    assert "heartbeat" in conf.beat_schedule
    if conf.broker_url.startswith("redis"):
        # A task must not be handed out again while it can still be running.
        assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_tasks_offer_queueing_after_commit():
    # DjangoTask: .delay_on_commit() sends only once the transaction commits (docs/architecture.md).
    assert hasattr(echo, "delay_on_commit")
