"""A poll process that dies by SIGKILL right after its first ticket is committed, before it marks the
message seen (tests/mailin/test_killed_process.py runs it)."""

import os
import signal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
django.setup()

from django.core.management import call_command  # noqa: E402

from mailin import imap  # noqa: E402


def killed(connection, uid):
    os.kill(os.getpid(), signal.SIGKILL)


imap.mark_seen = killed
call_command("mail_poll")
