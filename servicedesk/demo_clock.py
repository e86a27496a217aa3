"""The demo's time machine: the real service functions, run at instants of the past.

Only the demo loader (servicedesk/demo_history.py) and the test that checks the benchmark's bulk loader
against the services use it. Inside `moving_clock()`, `django.utils.timezone.now` answers the clock's
instant (so `auto_now` fields, history rows, SLA clocks and outbox rows carry it), and work queued for
after the commit (Celery tasks: mails, recalculations) is dropped: the past queues no work. The rows
such work would read (the outbox's notifications) are still written; the loader marks them as never
delivered.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.db import transaction
from django.utils import timezone


class MovingClock:
    """An instant that only moves forward, set by whoever lives the past."""

    def __init__(self, start: datetime):
        self.at = start

    def set(self, at: datetime) -> None:
        if at < self.at:
            raise ValueError(f"the demo clock only moves forward ({at} is before {self.at})")
        self.at = at

    def now(self) -> datetime:
        return self.at


@contextmanager
def moving_clock(start: datetime) -> Iterator[MovingClock]:
    """`timezone.now()` is the clock's instant and nothing is queued after commit, until the block ends.

    Patches the module attribute that every caller reads (`timezone.now()`, `auto_now`, `localdate()`),
    and `transaction.on_commit` (through which the project queues Celery work)."""
    clock = MovingClock(start)
    with (
        mock.patch.object(timezone, "now", clock.now),
        mock.patch.object(transaction, "on_commit", lambda *args, **kwargs: None),
    ):
        yield clock
