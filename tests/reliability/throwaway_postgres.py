"""A PostgreSQL cluster of the test's own, on a free port, for the tests that kill or restart the database.

Issue 16: those tests used to restart the machine's own PostgreSQL (the Debian cluster's "main"), which cuts
off every other database on a developer's machine. This one is made with Debian's `initdb` and `pg_ctl`
(/usr/lib/postgresql/<version>/bin) in a directory under /tmp, listens on 127.0.0.1 and a socket
directory of its own, and is stopped and removed when the test ends, whatever happened.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_LIB = Path("/usr/lib/postgresql")


def server_binaries() -> Path | None:
    """The bin directory of the newest PostgreSQL installed from Debian's packages, if any."""
    versions = [
        path / "bin"
        for path in PG_LIB.glob("*")
        if (path / "bin" / "initdb").exists() and (path / "bin" / "pg_ctl").exists()
    ]
    if not versions:
        return None
    return max(
        versions, key=lambda path: [int(part) for part in path.parent.name.split(".") if part.isdigit()]
    )


def free_port() -> int:
    """RELIABILITY_PG_PORT if set (a port of one's own on a shared machine), else one the kernel offers."""
    if os.environ.get("RELIABILITY_PG_PORT"):
        return int(os.environ["RELIABILITY_PG_PORT"])
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


class ThrowawayPostgres:
    """initdb, start, kill, restart and remove one cluster. As root, the server runs as `postgres` (initdb
    and the server refuse to run as root)."""

    def __init__(self, binaries: Path, port: int | None = None):
        self.binaries = binaries
        self.port = port or free_port()
        self.base = Path(tempfile.mkdtemp(prefix="sd-reliability-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.base, "postgres", "postgres")

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.binaries / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(args)} failed: {result.stderr or result.stdout}\n{log}")

    def create(self) -> None:
        # --no-sync only spares initdb's own writes; the server keeps fsync and synchronous_commit on.
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start"
        )

    def kill(self) -> None:
        """Stop at once, without a checkpoint, as if the server were killed: it recovers from its WAL."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.start()

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        try:
            if self.running():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
