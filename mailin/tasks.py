from celery import shared_task

from .imap import mailboxes_poll


@shared_task(name="mailin.poll_mailboxes", acks_late=True, reject_on_worker_lost=True)
def poll_mailboxes() -> str:
    """Beat, every minute: take each due mailbox's new mail (mailin/imap.py)."""
    return "; ".join(f"{poll.mailbox}: {poll.summary()}" for poll in mailboxes_poll()) or "no mailbox due"
