"""Health of the parts the service desk needs: the database, the Celery broker, and beat's heartbeat."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from .celery import app as celery_app
from .models import Heartbeat

HEARTBEAT_STALE_AFTER = timedelta(minutes=5)


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message says which
        return {"ok": False, "error": _short(exc)}
    return {"ok": True, "vendor": connection.vendor}


def broker_state(timeout: float = 2.0) -> dict:
    transport = celery_app.conf.broker_url.split(":", 1)[0]
    try:
        with celery_app.connection_for_write() as conn:
            # kombu takes a float timeout; its stubs say int
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)  # type: ignore[arg-type]
            # Redis accepts TCP before it can answer; a real round trip proves it serves commands.
            # the Redis channel's client; the stubs know only StdChannel
            conn.default_channel.client.ping() if transport.startswith("redis") else conn.default_channel  # type: ignore[attr-defined]
    except Exception as exc:
        return {"ok": False, "transport": transport, "error": _short(exc)}
    return {"ok": True, "transport": transport}


def beat_state(database_ok: bool) -> dict:
    """Informational: a missing or stale heartbeat is reported but does not fail the check.

    Web may be up long before beat's first tick, and a stopped beat delays timers, it loses nothing.
    """
    if not database_ok:
        return {"ok": None}
    row = Heartbeat.objects.filter(name="beat").first()
    if row is None:
        return {"ok": None, "last_beat": None}
    age = timezone.now() - row.beat_at
    return {"ok": age < HEARTBEAT_STALE_AFTER, "last_beat": row.beat_at.isoformat(), "worker": row.worker}


def mailboxes_state(database_ok: bool) -> dict:
    """Informational, like beat: how many mailboxes cannot be reached (which ones, and the server's
    answer, are on their admin page; /healthz is public); it does not fail the check, the poll backs off."""
    if not database_ok:
        return {"ok": None}
    from mailin.models import Mailbox

    polled = Mailbox.objects.filter(enabled=True).exclude(host="")
    if not polled.exists():
        return {"ok": None, "failing": 0}
    failing = polled.filter(last_poll_ok=False).count()
    return {"ok": not failing, "failing": failing}


def health() -> tuple[bool, dict]:
    database = database_state()
    broker = broker_state()
    ok = database["ok"] and broker["ok"]
    failed = [name for name, part in (("database", database), ("broker", broker)) if not part["ok"]]
    return ok, {
        "status": "ok" if ok else "unavailable",
        "failed": failed,
        "database": database,
        "broker": broker,
        "beat": beat_state(database["ok"]),
        "mailboxes": mailboxes_state(database["ok"]),
    }


def _short(exc: Exception) -> str:
    # Only the kind of failure: /healthz is public, and driver messages name internal hosts.
    return type(exc).__name__
