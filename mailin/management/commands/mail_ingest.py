"""`manage.py mail_ingest [--mailbox ADDRESS] < message.eml`: one raw message on standard input, for
Postfix or Exim to pipe to. Exit 0 when the message was taken or deliberately ignored (auto-reply,
bounce, refused, a duplicate); 75 (EX_TEMPFAIL) when it could not be taken now (database down), so the
MTA keeps it and tries again."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from mailin import messages
from mailin.models import Mailbox
from mailin.services import message_ingest

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take one raw RFC 5322 message from standard input (an MTA's pipe delivery)."
    # Run once per delivered message: Django's system checks would cost each one about 0.5 s of CPU
    # (measured in bench/mail.py); `manage.py check` at deploy time is where they belong.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="The mailbox's address (default: the one it was sent to).")

    def handle(self, *args, **options):
        limit = messages.max_message_bytes()
        stream = sys.stdin.buffer
        raw = stream.read(limit + 1)
        size = len(raw)
        if size > limit:
            while chunk := stream.read(1024 * 1024):  # read it all: the MTA must see it taken
                size += len(chunk)
        try:
            mailbox = None
            if options["mailbox"]:
                mailbox = Mailbox.objects.filter(address__iexact=options["mailbox"]).first()
                if mailbox is None:
                    raise CommandError(f"No mailbox {options['mailbox']}.", returncode=EX_TEMPFAIL)
            taken = message_ingest(raw=raw, mailbox=mailbox, via="pipe", size=size)
        except CommandError:
            raise
        except Exception as exc:  # the database or anything else: the MTA keeps the message and retries
            self.stderr.write(f"mail not taken, try again later: {type(exc).__name__}: {exc}")
            sys.exit(EX_TEMPFAIL)
        done = "already taken" if taken.duplicate else taken.outcome
        self.stdout.write(f"{taken.key}: {done}{': ' + taken.reason if taken.reason else ''}")
