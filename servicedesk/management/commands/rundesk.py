"""`make run`: migrate, load demo data, then run web, a Celery worker and beat until Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from reports import documents
from servicedesk import demo


class Command(BaseCommand):
    help = "Run the whole service desk on this machine: web, Celery worker and beat (development)."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args, port, host, **options):
        if not settings.DEVELOPMENT:
            raise CommandError(
                "rundesk is for a development machine (DEVELOPMENT=true, as `make run` sets); "
                "production uses compose."
            )
        site_url = served_address(host, port)
        # Links in mail, rating links and QR labels follow the address served here, in this process (the
        # demo data) and in web, worker and beat (their environment); a SITE_URL set by hand wins.
        os.environ["SITE_URL"] = settings.SITE_URL = os.environ.get("SITE_URL") or site_url
        call_command("migrate", interactive=False, verbosity=1)
        self.stdout.write("Demo data:")
        call_command("demo_data")

        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "servicedesk",
                "worker",
                "-l",
                "INFO",
                "--concurrency",
                "2",
                "-n",
                "worker@%h",
            ],
            "beat": [python, "-m", "celery", "-A", "servicedesk", "beat", "-l", "INFO"],
        }
        processes = {}
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603 (our fixed argv)
        self._banner(host, port)

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        failed = None
        while not stopping and failed is None:
            time.sleep(0.5)
            failed = next((name for name, p in processes.items() if p.poll() is not None), None)
        if failed:
            self.stderr.write(f"{failed} stopped (exit {processes[failed].returncode}); stopping the others.")
        self._stop_all(processes)
        if failed:
            raise CommandError(f"{failed} stopped unexpectedly.")
        self.stdout.write("Stopped web, worker and beat.")

    def _stop_all(self, processes):
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()

    def _banner(self, host, port):
        password = demo.demo_password()
        lines = [
            "",
            "Mbashe Service Desk is starting (web, Celery worker, beat). Ctrl-C stops all three.",
            f"  Open  {served_address(host, port)}/",
            f"  Links in mail and on labels: {settings.SITE_URL}/",
            f"  Demo logins (password for each: {password}):",
        ]
        lines += [f"    {u.username:<11} {u.role}" for u in demo.DEMO_USERS]
        lines += [
            f"  Data: {settings.DATABASES['default']['NAME']}  Broker: {settings.CELERY_BROKER_URL}",
        ]
        missing = documents.pdf_unavailable()
        if missing:
            lines.append(f"  The monthly report's PDF cannot be made here. {missing}")
        lines.append("")
        self.stdout.write("\n".join(lines))


def served_address(host: str, port: str) -> str:
    """The address runserver answers at, as a browser on this machine (or, for a wildcard bind, on the
    network) would open it."""
    if host in ("0.0.0.0", "::", "[::]", ""):  # noqa: S104 (naming the wildcard, not binding to it)
        host = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
