"""Sending the queued emails: render, hand to SMTP, retry what failed transiently, keep the log, and
publish each email's fate (`EmailSent` / `EmailFailed`) through the outbox.

Each email is worked on by one task. Transient failures are retried by tenacity with exponential
backoff and full jitter; every failed attempt is written down (the staff see it in the delivery log)
and extends the email's lease past the wait, so no other replica takes it meanwhile. Should this
process die, the lease runs out and another sender goes on where it stopped, with the attempts
counted so far. Attempts use the same Message-ID, so a repeat after a crash between the server's
acceptance and the bookkeeping shows as the same email.

Its sending continues the trace of the message that queued the email (the trace context stored
with it), and `EmailSent` / `EmailFailed` go on in that trace.
"""

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from email.message import EmailMessage
from functools import partial

import asyncpg
from opentelemetry.trace import SpanKind, Tracer
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from treffpunkt_shared.contracts.delivery import EmailFailed, EmailSent
from treffpunkt_shared.logs import correlation_id
from treffpunkt_shared.messaging.outbox import enqueue
from treffpunkt_shared.tracing import CORRELATION_ATTRIBUTE, traced

from ..adapters import emails
from ..adapters.emails import QueuedEmail
from ..adapters.smtp import PermanentSmtpFailure, SmtpFailure, SmtpPool, TransientSmtpFailure
from ..domain.clock import Clock
from ..metrics import EMAILS_FAILED, EMAILS_RETRIED, EMAILS_SENT
from ..settings import NotificationSettings
from .composing import Composer, NotRenderableYet

log = logging.getLogger(__name__)

PRODUCER = "notification"
_WORTH_RETRYING = (TransientSmtpFailure, NotRenderableYet)
_DATABASE_AWAY = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)
# Stopping waits this long for the emails being sent (an SMTP conversation takes well under a second).
_STOP_GRACE_SECONDS = 5.0


def _reason(exc: BaseException) -> str:
    return exc.reply if isinstance(exc, SmtpFailure) else str(exc)


def _loggable(exc: BaseException | None) -> str:
    """What a log line may say about a failure: a server's reply can quote the recipient's address."""
    if isinstance(exc, SmtpFailure) and exc.code is not None:
        return f"SMTP {exc.code}"
    return type(exc.__cause__ or exc).__name__ if exc else "unknown"


class Sender:
    def __init__(self, pool: Callable[[], asyncpg.Pool], smtp: SmtpPool, composer: Composer,
                 settings: NotificationSettings, clock: Clock, tracer: Tracer | None = None) -> None:
        self._pool = pool
        self._smtp = smtp
        self._composer = composer
        self._settings = settings
        self._clock = clock
        self._tracer = tracer
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._backing_off: set[int] = set()  # in the works, but waiting for their next attempt
        self.finished = asyncio.Event()  # set whenever an email is done: there is room for the next

    async def send_due(self) -> int:
        """Start on the due emails there is room for; how many were started."""
        room = self._settings.sender_concurrency - len(self._in_flight)
        if room <= 0:
            return 0
        claimed = await emails.claim_due(self._pool(), limit=room, lease_seconds=self._settings.delivery_lease_seconds,
                                         excluding=list(self._in_flight))
        for email in claimed:
            task = asyncio.create_task(self.deliver(email), name=f"email-{email.id}")
            self._in_flight[email.id] = task
            task.add_done_callback(lambda _, email_id=email.id: self._done(email_id))
        return len(claimed)

    def _done(self, email_id: int) -> None:
        self._in_flight.pop(email_id, None)
        self._backing_off.discard(email_id)
        self.finished.set()

    async def stop(self) -> None:
        """Let the emails being sent finish for a moment (the caller has stopped calling `send_due`), then drop
        the rest, those waiting for their next attempt first, and make them due again at once for the next sender.
        Finishing spares a repeat: an email cut off after the server took it is sent again."""
        sending = [task for email_id, task in self._in_flight.items() if email_id not in self._backing_off]
        if sending:
            await asyncio.wait(sending, timeout=_STOP_GRACE_SECONDS)
        tasks = dict(self._in_flight)
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        if tasks:
            with suppress(*_DATABASE_AWAY):
                await emails.release(self._pool(), list(tasks))

    async def deliver(self, email: QueuedEmail) -> None:
        token = correlation_id.set(str(email.registration_id) if email.registration_id else None)
        attributes = {"treffpunkt.email.id": email.id, "treffpunkt.email.kind": email.kind.value,
                      CORRELATION_ATTRIBUTE: correlation_id.get() or ""}
        try:
            with traced(self._tracer, "send email", parent=email.trace_context, kind=SpanKind.CLIENT,
                        attributes=attributes):
                await self._deliver(email)
        except _DATABASE_AWAY as exc:
            # The outcome could not be written down: the lease runs out and the email is tried again.
            log.warning("email %d (%s): could not record its outcome: %s", email.id, email.kind, type(exc).__name__)
        finally:
            correlation_id.reset(token)

    async def _deliver(self, email: QueuedEmail) -> None:
        attempts, subject = email.attempts, None
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_WORTH_RETRYING),
            wait=wait_random_exponential(multiplier=self._settings.retry_initial_seconds,
                                         max=self._settings.retry_max_seconds),
            stop=stop_after_attempt(max(1, self._settings.max_attempts - email.attempts)),
            before_sleep=partial(self._note_retry, email),  # a partial: tenacity awaits it
            reraise=True,
        )
        try:
            async for attempt in retrying:
                self._backing_off.discard(email.id)
                with attempt:
                    attempts = email.attempts + attempt.retry_state.attempt_number
                    message = await self._compose(email)
                    subject = str(message["Subject"])
                    reply = await self._smtp.send(message)
        except PermanentSmtpFailure as exc:
            await self._failed(email, attempts, subject, exc.reply, smtp_reply=exc.reply, permanent=True)
        except _WORTH_RETRYING as exc:
            await self._failed(email, attempts, subject, f"gave up after {attempts} attempts: {_reason(exc)}",
                               smtp_reply=exc.reply if isinstance(exc, SmtpFailure) else None, permanent=False)
        except _DATABASE_AWAY:
            raise
        except Exception as exc:
            # A template an operator broke, an address no server takes: no attempt will do better. Its
            # text may quote personal data, so the log names only its type; the delivery log has all.
            log.error("email %d (%s) cannot be sent: %s", email.id, email.kind, type(exc).__name__)
            await self._failed(email, attempts, subject, f"{type(exc).__name__}: {exc}", smtp_reply=None, permanent=True)
        else:
            await self._sent(email, attempts, subject or "", reply)

    async def _compose(self, email: QueuedEmail) -> EmailMessage:
        async with self._pool().acquire() as conn:
            return await self._composer.compose(conn, email, now=self._clock.now())

    async def _note_retry(self, email: QueuedEmail, state: RetryCallState) -> None:
        self._backing_off.add(email.id)
        EMAILS_RETRIED.labels(email.kind).inc()
        exc = state.outcome.exception() if state.outcome else None
        wait = state.upcoming_sleep
        log.warning("email %d (%s): attempt %d failed (%s), next in %.1fs", email.id, email.kind,
                    email.attempts + state.attempt_number, _loggable(exc), wait)
        try:
            await emails.record_failed_attempt(
                self._pool(), email.id, attempts=email.attempts + state.attempt_number,
                error=_reason(exc) if exc else "", retry_in_seconds=wait + self._settings.delivery_lease_seconds)
        except _DATABASE_AWAY as db_exc:
            log.warning("email %d: could not note the failed attempt: %s", email.id, type(db_exc).__name__)

    async def _sent(self, email: QueuedEmail, attempts: int, subject: str, reply: str) -> None:
        async with self._pool().acquire() as conn, conn.transaction():
            settled = await emails.mark_sent(conn, email.id, attempts=attempts, subject=subject, smtp_reply=reply)
            if settled is None:
                return
            await enqueue(conn, EmailSent(**self._about(email), attempts=attempts, sent_at=settled.sent_at,
                                          smtp_reply=reply),
                          producer=PRODUCER, correlation_id=correlation_id.get())
        EMAILS_SENT.labels(email.kind).inc()
        log.info("email %d (%s) sent after %d attempt(s)", email.id, email.kind, attempts)

    async def _failed(self, email: QueuedEmail, attempts: int, subject: str | None, error: str, *,
                      smtp_reply: str | None, permanent: bool) -> None:
        async with self._pool().acquire() as conn, conn.transaction():
            settled = await emails.mark_failed(conn, email.id, attempts=attempts, subject=subject, error=error,
                                               smtp_reply=smtp_reply)
            if settled is None:
                return
            await enqueue(conn, EmailFailed(**self._about(email), attempts=attempts, failed_at=settled.failed_at,
                                            error=error, permanent=permanent),
                          producer=PRODUCER, correlation_id=correlation_id.get())
        EMAILS_FAILED.labels(email.kind, str(permanent).lower()).inc()
        log.warning("email %d (%s) failed after %d attempt(s)%s", email.id, email.kind, attempts,
                    " (refused permanently)" if permanent else "")

    @staticmethod
    def _about(email: QueuedEmail) -> dict:
        return {"message_id": email.message_id, "kind": email.kind, "registration_id": email.registration_id,
                "event_id": email.event_id, "recipient": email.recipient}
