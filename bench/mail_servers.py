"""Real mail servers for the mail-in tests and its benchmark: Debian's Dovecot on a free local port with a
throw-away configuration and mailbox, and aiosmtpd as the SMTP receiver of what we send."""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "desk", "dovecot-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dovecot_available() -> bool:
    return Path(DOVECOT).exists()


class Dovecot:
    """`start()`, `stop()` (the server goes away, the mail stays on disk), `append(raw)`, `unseen()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
        self.root.chmod(0o755)  # Dovecot's own users read the (throw-away) password file and the mail
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            # Dovecot refuses root for its login and mail processes: its own users from the package.
            mail_user, login_user = pwd.getpwnam("dovecot"), "dovenull"
            internal_user = internal_group = "dovecot"
        else:
            mail_user = pwd.getpwuid(os.getuid())
            login_user = internal_user = mail_user.pw_name
            internal_group = grp.getgrgid(mail_user.pw_gid).gr_name
        (self.root / "mail").mkdir()
        (self.root / "run").mkdir()
        if os.geteuid() == 0:
            os.chown(self.root / "mail", mail_user.pw_uid, mail_user.pw_gid)
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/run/state
log_path = {self.root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:{self.root}/mail/%u
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={self.root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - Debian's dovecot, our own configuration
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() takes the IMAP sessions down too
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Dovecot did not start: {self.log()}")

    def stop(self) -> None:
        """The server goes away at once, its open sessions with it (as when the host fails)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
            self.process = None
            (self.root / "run" / "master.pid").unlink(missing_ok=True)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, *raws: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            for raw in raws:
                status, data = client.append(folder, None, None, raw)
                if status != "OK":
                    raise RuntimeError(f"APPEND refused: {data!r}")
        finally:
            client.logout()

    def unseen(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            client.select(folder)
            return len((client.uid("SEARCH", None, "UNSEEN")[1][0] or b"").split())
        finally:
            client.logout()


class SmtpReceiver:
    """aiosmtpd on a free port; `messages` holds every mail it received (as bytes)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[bytes] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                receiver.messages.append(envelope.original_content or envelope.content)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
