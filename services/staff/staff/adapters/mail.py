"""The staff service's emails (an invitation, a password reset): plain text, composed here and handed to
the SMTP server at once, while the person waits for the page or the admin for the API's answer.

Not through an outbox and a sender like the notification service's: each email carries a secret link that
is worth something only for an hour or days, the person asking can ask again, and an admin who invites
sees at once when the server did not take the invitation (502) instead of an email that may arrive later."""

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from treffpunkt_shared.smtp import SmtpSettings, smtp_client

log = logging.getLogger(__name__)


class MailNotSent(Exception):
    """The SMTP server could not be reached or did not take the email."""


@dataclass(frozen=True)
class StaffEmail:
    recipient: str
    subject: str
    text: str


def compose(email: StaffEmail, settings: SmtpSettings, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=settings.sender_domain)
    # Answered by no one and not to be answered by vacation replies (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text)
    return message


async def send(email: StaffEmail, settings: SmtpSettings, now: datetime) -> None:
    """Hand `email` to the SMTP server; MailNotSent if it does not take it."""
    client = smtp_client(settings)
    try:
        async with client:
            await client.send_message(compose(email, settings, now))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        # The recipient's address is personal data: not in the log.
        log.warning("SMTP server %s:%d did not take a staff email (%s)", settings.smtp_host, settings.smtp_port,
                    type(exc).__name__)
        raise MailNotSent(str(exc)) from exc
