"""`manage.py mail_poll`: what beat does every minute, by hand (each due mailbox, once)."""

from django.core.management.base import BaseCommand

from mailin.imap import mailboxes_poll


class Command(BaseCommand):
    help = "Poll every enabled IMAP mailbox that is due, once."

    def handle(self, *args, **options):
        polls = mailboxes_poll()
        for poll in polls:
            self.stdout.write(f"{poll.mailbox}: {poll.summary()}")
        if not polls:
            self.stdout.write("No mailbox is due.")
