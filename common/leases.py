"""Who holds a piece of background work, and whether that holder is gone.

A row being worked on (a report run being built) records the identity of the process that holds it:
host name, process id and the process's start time (so a process id used again by a later process is not
taken for the holder). A task handed out again after its worker died (Celery's reject-on-worker-lost, a
broker's redelivery) can then see at once that the holder is gone, instead of waiting for the holder's
heartbeat to go stale (issue 16: a report whose worker was killed sat at "running 60 %" for 16-21 min).

A holder on another host cannot be seen from here: for it, the holder's heartbeat decides, kept fresh by
`keep_alive` while the work runs, however long one step of it takes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator

from django.db import connection

logger = logging.getLogger(__name__)

_held: set[str] = set()
_held_lock = threading.Lock()


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux /proc); "" where that is not known."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # The command name (field 2) may hold spaces and brackets: count fields after its last ")".
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def holder_identity() -> str:
    """This process, as a lease records it: "host pid start"."""
    pid = os.getpid()
    return f"{socket.gethostname()} {pid} {_start_time(pid)}".strip()


def _process_gone(pid: int, start: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, under another user
    return bool(start) and _start_time(pid) not in ("", start)


def holder_gone(identity: str, key: str) -> bool:
    """True only when the holder recorded for the work `key` is certainly not working on it: a process on
    this host that has ended (or whose id now belongs to another process), or this very process when it
    does not hold `key` (a process runs the work it holds; a lease of its own it does not hold is left
    from an earlier task it ran). A holder on another host, or an empty identity, is not known to be gone.
    """
    host, _, rest = identity.partition(" ")
    if not rest or host != socket.gethostname():
        return False
    pid_text, _, start = rest.partition(" ")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid() and start == _start_time(pid):
        with _held_lock:
            return key not in _held
    return _process_gone(pid, start)


@contextlib.contextmanager
def holding(key: str, *, beat: Callable[[], None], every: float) -> Iterator[None]:
    """Mark `key` as held by this process while the block runs, and call `beat` every `every` seconds
    from a thread of its own (its own database connection, closed at the end), so the holder's
    heartbeat stays fresh during a long step and goes stale soon after the process dies."""
    stop = threading.Event()

    def beating() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat()
                except Exception:  # the database may be away for a moment; the next beat tries again
                    logger.warning("heartbeat of %s failed", key, exc_info=True)
        finally:
            connection.close()

    with _held_lock:
        _held.add(key)
    thread = threading.Thread(target=beating, name=f"heartbeat {key}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
        with _held_lock:
            _held.discard(key)
