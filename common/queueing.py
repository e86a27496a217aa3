"""Queue Celery work after the transaction commits, without failing the user's request when the broker
is down: every piece of queued work also lives in a database row that a beat sweep picks up."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """task.delay(*args, **kwargs) once the current transaction commits (at once outside one).

    A broker that cannot be reached is logged, not raised: the row behind the task (a Notification,
    an SLA clock) is still in the database and the next sweep finds it.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # kombu raises transport-specific errors; all mean "not queued now"
            logger.warning("broker unavailable: %s left for the sweep", task.name, exc_info=True)

    transaction.on_commit(send)
