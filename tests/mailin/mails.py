"""Mails as people and machines write them, as raw RFC 5322 bytes."""

from __future__ import annotations

import io
import itertools
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

_counter = itertools.count(1)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def mail(
    *,
    sender: str = "Nomsa Dlamini <nomsa.dlamini@mbashe.gov.za>",
    to: str = "ict@mbashe.gov.za",
    subject: str = "Printer at Willowvale jams",
    body: str = "The printer in the finance office jams on every page.\n\nNomsa",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    files: list[tuple[str, bytes, str]] = (),
    message_id: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    if message_id != "":
        message["Message-ID"] = message_id or make_msgid(
            idstring=f"t{next(_counter)}", domain="mbashe.gov.za"
        )
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, data, mime in files:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def bounce(original_to: str = "nobody@mbashe.gov.za") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes it."""
    return (
        "From: MAILER-DAEMON@mail.mbashe.gov.za (Mail Delivery System)\r\n"
        "To: ict@mbashe.gov.za\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce-{next(_counter)}@mail.mbashe.gov.za>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message "
        "could not be delivered.\r\n"
        f"--B\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; {original_to}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n--B--\r\n"
    ).encode()


def large(megabytes: int) -> bytes:
    """A mail of about `megabytes` MB as sent (a scanned document attached, base64 adds a third)."""
    data = io.BytesIO(b"%PDF-1.4\n" + b"0" * (megabytes * 1024 * 1024 * 3 // 4)).getvalue()
    return mail(subject="Scanned tender documents", files=[("tender.pdf", data, "application/pdf")])
