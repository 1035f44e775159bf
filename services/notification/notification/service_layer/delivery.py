"""Sending the queued emails: render, hand to SMTP, schedule another attempt for what failed
transiently, keep the log, and publish each email's fate (`EmailSent` / `EmailFailed`) through the outbox.

The sender works in batches: it reserves due emails for a lease, renders them from data read once
for the whole batch, sends them over the pooled SMTP connections at once, and writes down every
outcome in one transaction (a registration rush makes thousands of emails a minute; a transaction
per email was most of the database's work). An email that failed transiently is due again after a
wait (exponential backoff with full jitter, from tenacity) and is taken by whichever sender finds it
then; nothing waits in memory, so a crash loses no retry. Should the process die while sending, the
lease runs out and another sender goes on. Attempts use the same Message-ID, so a repeat after a
crash between the server's acceptance and the bookkeeping shows as the same email; the bookkeeping
itself is tried again for a while when the database is away, which spares most such repeats.

Each email's sending continues the trace of the message that queued it (the trace context stored
with it), and its `EmailSent` / `EmailFailed` goes on in that trace.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from opentelemetry.trace import SpanKind, Tracer
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_delay, wait_exponential, wait_random_exponential

from treffpunkt_shared.clock import Clock
from treffpunkt_shared.contracts.delivery import EmailFailed, EmailSent
from treffpunkt_shared.contracts.envelope import EventPayload
from treffpunkt_shared.logs import correlation_id
from treffpunkt_shared.messaging.outbox import enqueue_many
from treffpunkt_shared.tracing import CORRELATION_ATTRIBUTE, trace_headers, traced

from ..adapters import emails
from ..adapters.emails import Attempt, QueuedEmail
from ..adapters.mime import OutgoingEmail
from ..adapters.smtp import PermanentSmtpFailure, SmtpFailure, SmtpPool, TransientSmtpFailure
from ..metrics import EMAILS_FAILED, EMAILS_RETRIED, EMAILS_SENT
from ..settings import NotificationSettings
from .composing import DATABASE_AWAY, Composer, NotRenderableYet

log = logging.getLogger(__name__)

_WORTH_RETRYING = (TransientSmtpFailure, NotRenderableYet)
# Stopping waits this long for the batches being sent (an SMTP conversation takes well under a second).
_STOP_GRACE_SECONDS = 5.0


def _reason(exc: BaseException) -> str:
    return exc.reply if isinstance(exc, SmtpFailure) else str(exc)


def _loggable(exc: BaseException) -> str:
    """What a log line may say about a failure: a server's reply can quote the recipient's address."""
    if isinstance(exc, SmtpFailure) and exc.code is not None:
        return f"SMTP {exc.code}"
    return type(exc.__cause__ or exc).__name__


@dataclass(frozen=True)
class _Outcome:
    """One attempt at one email: the server's reply, or the failure."""

    email: QueuedEmail
    attempts: int  # counting this one
    subject: str | None
    trace: dict[str, str]  # the context of its sending, for the delivery event
    reply: str | None = None
    failure: Exception | None = None


class Sender:
    def __init__(self, pool: Callable[[], asyncpg.Pool], smtp: SmtpPool, composer: Composer,
                 settings: NotificationSettings, clock: Clock, tracer: Tracer | None = None) -> None:
        self._pool = pool
        self._smtp = smtp
        self._composer = composer
        self._settings = settings
        self._clock = clock
        self._tracer = tracer
        self._backoff = wait_random_exponential(multiplier=settings.retry_initial_seconds, max=settings.retry_max_seconds)
        self._batches: dict[asyncio.Task[None], list[int]] = {}
        self.due = asyncio.Event()  # set when there may be emails to take: a batch is done or new ones are queued

    @property
    def _in_flight(self) -> list[int]:
        return [email_id for ids in self._batches.values() for email_id in ids]

    def wake(self) -> None:
        """New emails are queued: look now rather than at the next poll."""
        self.due.set()

    async def send_due(self) -> int:
        """Start a batch of the due emails there is room for; how many it has."""
        in_flight = self._in_flight
        room = min(self._settings.sender_concurrency - len(in_flight), self._settings.sender_batch_size)
        if room <= 0:
            return 0
        claimed = await emails.claim_due(self._pool(), limit=room, lease_seconds=self._settings.delivery_lease_seconds,
                                         excluding=in_flight)
        if claimed:
            task = asyncio.create_task(self._send_batch(claimed), name=f"emails-{claimed[0].id}")
            self._batches[task] = [email.id for email in claimed]
            task.add_done_callback(self._batch_done)
            if len(claimed) == room:
                self.due.set()  # there may be more: another batch can start while this one is sent
        return len(claimed)

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._batches.pop(task, None)
        self.due.set()

    async def stop(self) -> None:
        """Let the batches being sent finish for a moment (the caller has stopped calling `send_due`), then drop
        the rest and make their emails due again at once for the next sender. Finishing spares a repeat: an email
        cut off after the server took it is sent again."""
        if self._batches:
            await asyncio.wait(list(self._batches), timeout=_STOP_GRACE_SECONDS)
        batches = dict(self._batches)
        for task in batches:
            task.cancel()
        await asyncio.gather(*batches, return_exceptions=True)
        left = [email_id for ids in batches.values() for email_id in ids]
        if left:
            with suppress(*DATABASE_AWAY):
                await emails.release(self._pool(), left)

    async def _send_batch(self, batch: Sequence[QueuedEmail]) -> None:
        try:
            now = self._clock.now()
            async with self._pool().acquire() as conn:
                composed = await self._composer.compose_many(conn, batch, now=now)
            outcomes = await asyncio.gather(*(self._send(email, message) for email, message in zip(batch, composed, strict=True)))
            await self._write_down(outcomes)
        except DATABASE_AWAY as exc:
            # Nothing could be read or written down: the lease runs out and the emails are tried again.
            log.warning("a batch of %d emails: the database is away: %s", len(batch), type(exc).__name__)

    async def _send(self, email: QueuedEmail, message: OutgoingEmail | Exception) -> _Outcome:
        """One attempt, in a span of its own that continues the trace that queued the email."""
        correlation_id.set(str(email.registration_id) if email.registration_id else None)  # this task's own context
        attempts = email.attempts + 1
        subject = message.subject if isinstance(message, OutgoingEmail) else None
        attributes = {"treffpunkt.email.id": email.id, "treffpunkt.email.kind": email.kind.value,
                      CORRELATION_ATTRIBUTE: correlation_id.get() or ""}
        try:
            with traced(self._tracer, "send email", parent=email.trace_context, kind=SpanKind.CLIENT,
                        attributes=attributes):
                trace = trace_headers(correlation_id.get())
                if isinstance(message, Exception):
                    raise message
                reply = await self._smtp.send(message)
        except Exception as exc:
            return _Outcome(email, attempts, subject, trace, failure=exc)
        return _Outcome(email, attempts, subject, trace, reply=reply)

    async def _write_down(self, outcomes: Sequence[_Outcome]) -> None:
        """Every outcome of the batch in one transaction, tried again while the database is away for a
        while (an email sent but not written down would go out a second time when its lease ends)."""
        sent: list[_Outcome] = []
        retries: list[_Outcome] = []
        failed: list[_Outcome] = []
        for o in outcomes:
            if o.failure is None:
                sent.append(o)
            elif isinstance(o.failure, _WORTH_RETRYING) and o.attempts < self._settings.max_attempts:
                retries.append(o)
            else:
                failed.append(o)
        retrying = AsyncRetrying(retry=retry_if_exception_type(DATABASE_AWAY), reraise=True,
                                 stop=stop_after_delay(self._settings.delivery_lease_seconds / 2),
                                 wait=wait_exponential(multiplier=0.1, max=2))
        async for attempt in retrying:
            with attempt:
                async with self._pool().acquire() as conn, conn.transaction():
                    sent_at = await emails.mark_sent(conn, [_attempt(o, o.reply or "") for o in sent])
                    failed_at = await emails.mark_failed(conn, [_attempt(o, _error(o)) for o in failed])
                    await emails.record_failed_attempts(
                        conn, [_attempt(o, _reason(o.failure)) for o in retries if o.failure is not None],
                        retry_in_seconds=[self._wait(o.attempts) for o in retries])
                    await self._publish(conn, sent, sent_at, failed, failed_at)
        self._count_and_log(sent, failed, retries)

    async def _publish(self, conn: asyncpg.Connection, sent: Sequence[_Outcome], sent_at: dict[int, datetime],
                       failed: Sequence[_Outcome], failed_at: dict[int, datetime]) -> None:
        # Only the emails this sender settled: one a replica took over after a lease ran out and settled
        # first is not reported twice.
        events: list[tuple[EventPayload, str | None]] = []
        headers: list[dict[str, str]] = []
        for o in sent:
            if o.email.id in sent_at:
                events.append((EmailSent(**_about(o.email), subject=o.subject, attempts=o.attempts, sent_at=sent_at[o.email.id],
                                         smtp_reply=o.reply or ""), _correlation(o.email)))
                headers.append(o.trace)
        for o in failed:
            if o.email.id in failed_at:
                events.append((EmailFailed(**_about(o.email), subject=o.subject, attempts=o.attempts, failed_at=failed_at[o.email.id],
                                           error=_error(o), permanent=_permanent(o)), _correlation(o.email)))
                headers.append(o.trace)
        await enqueue_many(conn, events, producer=NotificationSettings.service_name, headers=headers)

    def _wait(self, attempts: int) -> float:
        """Seconds before the next attempt after `attempts` failed ones."""
        state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
        state.attempt_number = attempts
        return self._backoff(state)

    @staticmethod
    def _count_and_log(sent: Sequence[_Outcome], failed: Sequence[_Outcome], retries: Sequence[_Outcome]) -> None:
        for o in sent:
            EMAILS_SENT.labels(o.email.kind).inc()
            correlation_id.set(_correlation(o.email))
            log.info("email %d (%s) sent after %d attempt(s)", o.email.id, o.email.kind, o.attempts)
        for o in retries:
            correlation_id.set(_correlation(o.email))
            EMAILS_RETRIED.labels(o.email.kind).inc()
            log.warning("email %d (%s): attempt %d failed (%s), tried again later", o.email.id, o.email.kind,
                        o.attempts, _loggable(o.failure))
        for o in failed:
            correlation_id.set(_correlation(o.email))
            permanent = _permanent(o)
            EMAILS_FAILED.labels(o.email.kind, str(permanent).lower()).inc()
            # The type only: the error's text may quote personal data; the delivery log has all.
            log.warning("email %d (%s) failed after %d attempt(s)%s: %s", o.email.id, o.email.kind, o.attempts,
                        " (refused permanently)" if permanent else "", _loggable(o.failure))


def _attempt(outcome: _Outcome, text: str) -> Attempt:
    """`text`: the server's reply for an email sent, else the error."""
    failure = outcome.failure
    smtp_reply = failure.reply if isinstance(failure, SmtpFailure) else outcome.reply
    return Attempt(outcome.email.id, outcome.attempts, outcome.subject, text, smtp_reply)


def _permanent(outcome: _Outcome) -> bool:
    """Refused for good, or broken (a template an operator broke, an address no server takes): no attempt
    will do better. Out of attempts after transient failures is not permanent."""
    return not isinstance(outcome.failure, _WORTH_RETRYING)


def _error(outcome: _Outcome) -> str:
    exc = outcome.failure
    assert exc is not None
    if isinstance(exc, PermanentSmtpFailure):
        return exc.reply
    if isinstance(exc, _WORTH_RETRYING):
        return f"gave up after {outcome.attempts} attempts: {_reason(exc)}"
    return f"{type(exc).__name__}: {exc}"


def _correlation(email: QueuedEmail) -> str | None:
    return str(email.registration_id) if email.registration_id else None


def _about(email: QueuedEmail) -> dict:
    return {"message_id": email.message_id, "kind": email.kind, "registration_id": email.registration_id,
            "event_id": email.event_id, "recipient": email.recipient}
