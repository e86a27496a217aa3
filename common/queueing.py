"""Queue Celery work after the transaction commits, without holding up the user's request when the broker
is down: every piece of queued work also lives in a database row that a beat sweep picks up.

Issue 16: with Redis down, saving a ticket answered 500 after 30 s though the ticket was saved. Each
`apply_async` went through the app's shared connection, whose kombu `ensure_connection` retried for about
6 s, once per mail; a broker that accepts and never answers blocked forever (no socket timeout). The
request path now publishes over a connection of its own that fails fast:

- a short connect and socket timeout (`QUEUE_CONNECT_TIMEOUT`) and no retry: one try, then the sweep;
- the mails of one transaction go as one task (`enqueue_batch_on_commit`), not one per recipient;
- after a failure, publishing is left to the sweeps for `BROKER_DOWN_PAUSE` seconds, process-wide, so a
  transaction that queues ten mails (or the next requests) waits for one failed try, not ten.

Workers and beat keep the app's own connection with its retries: they have no user waiting on them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed publish, leave queueing to the sweeps this long (seconds) before trying the broker again.
BROKER_DOWN_PAUSE = 15.0

_state = threading.local()
_down = {"until": 0.0}


def _connection() -> Any:
    """This thread's fail-fast connection to the broker (opened again after a fork or a failure)."""
    from celery import current_app

    url = current_app.conf.broker_write_url or current_app.conf.broker_url
    conn = getattr(_state, "connection", None)
    if conn is not None and (getattr(_state, "pid", None), getattr(_state, "url", None)) == (
        os.getpid(),
        url,
    ):
        return conn
    _forget_connection(inherited=getattr(_state, "pid", None) != os.getpid())
    timeout = float(getattr(settings, "QUEUE_CONNECT_TIMEOUT", 0.5))
    options = {
        **(current_app.conf.broker_transport_options or {}),
        "max_retries": 0,  # kombu's ensure_connection: one try, no backoff
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,  # a broker that accepts and never answers
    }
    conn = current_app.connection_for_write(url, transport_options=options, connect_timeout=timeout)
    _state.connection, _state.pid, _state.url = conn, os.getpid(), url
    return conn


def _forget_connection(*, inherited: bool = False) -> None:
    """Drop this thread's connection; one inherited through a fork is the parent's: left alone."""
    conn = getattr(_state, "connection", None)
    _state.connection = None
    if conn is not None and not inherited:
        # A broken connection may fail to close; it is dropped either way.
        with contextlib.suppress(Exception):
            conn.release()


def broker_marked_down() -> bool:
    return time.monotonic() < _down["until"]


def publish_now(task: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> bool:
    """Publish one task at once, failing fast; False (logged) if the broker did not take it."""
    if broker_marked_down():
        logger.info("broker marked down: %s left for the sweep", task.name)
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs or {}, retry=False, connection=_connection())
    except Exception:  # kombu raises transport-specific errors; all mean "not queued now"
        _forget_connection()
        _down["until"] = time.monotonic() + BROKER_DOWN_PAUSE
        logger.warning("broker unavailable: %s left for the sweep", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """task.delay(*args, **kwargs) once the current transaction commits (at once outside one).

    A broker that cannot be reached is logged, not raised, and costs the request one short try: the row
    behind the task (a Notification, an SLA clock, a report run) is still in the database and the next
    sweep finds it.
    """

    def send() -> None:
        publish_now(task, args, kwargs)

    transaction.on_commit(send)


class _Batch:
    """One after-commit publish of `task` with every item the transaction gave it."""

    def __init__(self, task: Any):
        self.task = task
        self.items: list[Any] = []
        self.done = False

    def __call__(self) -> None:
        self.done = True
        if self.items:
            publish_now(self.task, (self.items,))


def enqueue_batch_on_commit(task: Any, items: list[Any]) -> None:
    """task.delay(all_items) once, after the current transaction commits, with the items of every call
    made at the same savepoint level (at once outside a transaction).

    The batch is one of the transaction's pending on-commit callbacks, registered at this savepoint
    level: a savepoint rolled back drops its batch with it, and a batch dropped so is never reused.
    """
    if not items:
        return
    connection = transaction.get_connection()
    batch = None
    if connection.in_atomic_block:
        level = set(connection.savepoint_ids)
        batch = next(
            (
                entry[1]
                for entry in connection.run_on_commit
                if entry[0] == level
                and isinstance(entry[1], _Batch)
                and entry[1].task is task
                and not entry[1].done
            ),
            None,
        )
    if batch is None:
        batch = _Batch(task)
        batch.items.extend(items)
        transaction.on_commit(batch)
    else:
        batch.items.extend(items)
