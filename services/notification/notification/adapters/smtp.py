"""SMTP through aiosmtplib, with a small pool of connections that are reused from one email to the next
(reusing one saves the connect, greeting, EHLO and login of every email).

Failures are sorted into transient (worth another attempt: the server is away, slow, or says 4xx;
or it refuses our configuration, which an operator can fix) and permanent (a 5xx reply about this
email's recipient or content: another attempt would get the same answer).
"""

import asyncio
import logging
from contextlib import suppress

import aiosmtplib

from treffpunkt_shared.smtp import smtp_client

from ..settings import NotificationSettings
from .mime import OutgoingEmail

log = logging.getLogger(__name__)


class SmtpFailure(Exception):
    def __init__(self, reply: str, code: int | None = None) -> None:
        super().__init__(reply)
        self.reply = reply
        self.code = code


class TransientSmtpFailure(SmtpFailure):
    pass


class PermanentSmtpFailure(SmtpFailure):
    pass


def classify(exc: Exception) -> SmtpFailure:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        refusal = exc.recipients[0]
        kind = PermanentSmtpFailure if refusal.code >= 500 else TransientSmtpFailure
        return kind(f"{refusal.code} {refusal.message}", refusal.code)
    if isinstance(exc, aiosmtplib.SMTPDataError):
        kind = PermanentSmtpFailure if exc.code >= 500 else TransientSmtpFailure
        return kind(f"{exc.code} {exc.message}", exc.code)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        # e.g. an address that needs SMTPUTF8 on a server without it: no attempt will do better
        return PermanentSmtpFailure(str(exc))
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        # Greeting, login or sender refused: about our setup, not this email; it may be fixed meanwhile.
        return TransientSmtpFailure(f"{exc.code} {exc.message}", exc.code)
    return TransientSmtpFailure(f"{type(exc).__name__}: {exc}")


class SmtpPool:
    def __init__(self, settings: NotificationSettings) -> None:
        self._settings = settings
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(settings.smtp_pool_size)

    async def send(self, email: OutgoingEmail) -> str:
        """Send `email` to its recipient; the server's reply. Raises an `SmtpFailure`."""
        async with self._slots:
            client: aiosmtplib.SMTP | None = None
            try:
                client = await self._checkout()
                _, reply = await client.sendmail(email.envelope_sender, [email.recipient], email.content,
                                                 mail_options=["SMTPUTF8"] if email.needs_smtputf8 else None)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                if client is not None:
                    self._after_failure(client, exc)
                raise classify(exc) from exc
            except BaseException:
                # Cancelled mid-conversation: the connection is in an unknown state.
                if client is not None:
                    client.close()
                raise
            self._idle.append(client)
            return f"250 {reply}"

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            with suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await asyncio.wait_for(client.quit(), 2)
            client.close()

    async def _checkout(self) -> aiosmtplib.SMTP:
        while self._idle:
            client = self._idle.pop()
            if client.is_connected:
                return client
            client.close()  # the server closed it while it was idle
        settings = self._settings
        client = smtp_client(settings)
        await client.connect()
        log.debug("SMTP connection to %s:%d opened", settings.smtp_host, settings.smtp_port)
        return client

    def _after_failure(self, client: aiosmtplib.SMTP, exc: Exception) -> None:
        # After a refusal aiosmtplib has reset the envelope and the connection serves the next email;
        # after anything else (timeout, lost connection) its state is unknown.
        refusal = isinstance(exc, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused)
        if refusal and client.is_connected:
            self._idle.append(client)
        else:
            client.close()
