"""common.leases: who holds a piece of background work, and whether that holder is gone (issue 16)."""

import os
import socket
import subprocess
import sys
import threading

from common import leases


def identity_of_an_ended_process() -> str:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    identity = f"{socket.gethostname()} {child.pid} {leases._start_time(child.pid)}"
    child.kill()
    child.wait()
    return identity


def test_an_ended_process_on_this_host_is_gone():
    assert leases.holder_gone(identity_of_an_ended_process(), "work:1")


def test_a_live_process_on_this_host_is_not_gone():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        identity = f"{socket.gethostname()} {child.pid} {leases._start_time(child.pid)}"
        assert not leases.holder_gone(identity, "work:1")
    finally:
        child.kill()
        child.wait()


def test_a_process_id_taken_by_a_later_process_is_gone():
    # The same pid, started at another moment: the holder ended and its id was given out again.
    pid = os.getpid()
    assert leases.holder_gone(f"{socket.gethostname()} {pid} 1", "work:1")


def test_another_host_or_no_holder_is_not_known_to_be_gone():
    assert not leases.holder_gone("some-other-host 12345 678", "work:1")
    assert not leases.holder_gone("", "work:1")


def test_this_process_is_gone_unless_it_holds_the_work():
    me = leases.holder_identity()
    assert leases.holder_gone(me, "work:1")  # left from an earlier task this process ran
    with leases.holding("work:1", beat=lambda: None, every=60):
        assert not leases.holder_gone(me, "work:1")
        assert leases.holder_gone(me, "work:2")
    assert leases.holder_gone(me, "work:1")


def test_holding_beats_while_the_work_runs_and_stops_after():
    beats = []
    two = threading.Event()

    def beat():
        beats.append(1)
        if len(beats) >= 2:
            two.set()

    with leases.holding("work:1", beat=beat, every=0.05):
        assert two.wait(5), "the heartbeat keeps beating during a long step"
    count = len(beats)
    two.wait(0.3)
    assert len(beats) == count


def test_a_failing_beat_does_not_stop_the_heartbeat():
    calls = []
    done = threading.Event()

    def beat():
        calls.append(1)
        if len(calls) >= 3:
            done.set()
        raise ConnectionError("database away for a moment")

    with leases.holding("work:1", beat=beat, every=0.05):
        assert done.wait(5)
