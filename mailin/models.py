"""Mail in: the desk's mailboxes and every message taken from them (IMAP or the pipe), once each.

`InboundMessage.key` (the Message-ID, or a hash of the message when it has none) is unique: the row is
written in the same transaction as the ticket or comment the message became, so a message fetched or
piped twice, or fetched again after a crash between the commit and marking it seen, finds its row and
changes nothing more.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.db import models

from catalogue.models import Impact, Urgency


class Mailbox(models.Model):
    class Policy(models.TextChoices):
        TICKET = "ticket", "Log a ticket for a new staff record that needs checking"
        REFUSE = "refuse", "Refuse politely"

    class Auth(models.TextChoices):
        PASSWORD = "password", "Password or app password (LOGIN)"
        XOAUTH2 = "xoauth2", "OAuth2 access token (XOAUTH2)"

    name = models.CharField(max_length=80)
    address = models.EmailField(unique=True, help_text="The address people write to, e.g. ict@mbashe.gov.za.")
    enabled = models.BooleanField(default=True, help_text="Polled every minute by beat when on.")
    host = models.CharField("IMAP server", max_length=200, blank=True, help_text="Empty: pipe only.")
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField("IMAPS (TLS)", default=True)
    username = models.CharField(max_length=200, blank=True)
    auth = models.CharField(max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    secret_env = models.CharField(
        "secret's environment variable",
        max_length=100,
        blank=True,
        help_text="The name of the environment variable that holds the password or the OAuth2 access "
        "token (kept fresh by the token source outside the desk). The secret itself is never stored here.",
    )
    folder = models.CharField(max_length=200, default="INBOX")
    unknown_sender_policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.TICKET)
    allow_outside_domains = models.BooleanField(
        default=False, help_text="Take mail from outside the municipality's domains (MAIL_INTERNAL_DOMAINS)."
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A new ticket's service until the desk sets the right one.",
    )
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A new ticket's site when the sender has no usual site.",
    )
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.LOW)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)

    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_poll_ok = models.BooleanField(null=True)
    last_poll_result = models.CharField(max_length=300, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Polls failed in a row.")
    next_poll_at = models.DateTimeField(null=True, blank=True, help_text="Back-off after failures.")
    polling_until = models.DateTimeField(null=True, blank=True, help_text="Lease of the poll at work.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def secret(self) -> str:
        return os.environ.get(self.secret_env, "") if self.secret_env else ""


class InboundMessage(models.Model):
    class Outcome(models.TextChoices):
        TICKET = "ticket", "Ticket logged"
        COMMENT = "comment", "Comment added"
        IGNORED = "ignored", "Ignored (auto-reply, bounce, our own mail, too many)"
        REFUSED = "refused", "Refused (sender, size or policy), sender told"
        MALFORMED = "malformed", "Malformed, kept for the desk"

    key = models.CharField(max_length=255, unique=True)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    via = models.CharField(max_length=10, choices=[("imap", "IMAP"), ("pipe", "Pipe")])
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sender = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    headers = models.TextField(blank=True, help_text="The original headers, for the desk.")
    raw = models.BinaryField(
        null=True, blank=True, help_text="The whole message, kept when it was malformed or refused."
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    ticket = models.ForeignKey(
        "incidents.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "incidents.Comment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged = models.BooleanField(default=False, help_text="We mailed the sender about this message.")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender_at_idx")]

    def __str__(self) -> str:
        return f"{self.key} {self.outcome}"


class SenderCheck(models.Model):
    """A staff record made for an unknown sender: the desk checks it (and gives it a role and a site)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    checked = models.BooleanField(default=False)

    class Meta:
        ordering = ["checked", "-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({'checked' if self.checked else 'needs checking'})"
