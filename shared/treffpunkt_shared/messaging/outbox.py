"""The transactional outbox: services never write the database and then publish.

`enqueue` writes a message in the caller's transaction (`in_statement`, in the caller's own statement:
a change and its message in one round trip); the `OutboxRelay` publishes committed rows
in id order with Kafka's idempotent producer and marks them published. The relay sleeps on
`LISTEN outbox` and is woken by the NOTIFY that `enqueue` sends (delivered at commit); a slow poll
only covers a lost connection. Replicas of a service share the table: a transaction-level advisory
lock lets one relay publish at a time, so rows go out in order.

Each row keeps the trace context of the work that wrote it (W3C `traceparent` in `headers`), and the
relay sends the headers with the record, so the trace goes on in the consumer.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaProducer

from ..contracts.envelope import Envelope, EventPayload
from ..metrics import MESSAGES_PUBLISHED, OUTBOX_PUBLISH_FAILURES
from ..tracing import trace_headers
from .schema import OUTBOX_CHANNEL

log = logging.getLogger(__name__)

# Any constant shared by the replicas of one service (each service has its own database).
RELAY_LOCK_KEY = 0x7472_6566_6670


async def enqueue(
    conn: asyncpg.Connection,
    payload: EventPayload,
    *,
    producer: str,
    correlation_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> Envelope:
    """Write `payload` to the outbox in the caller's transaction, with the current trace context and `headers`."""
    [envelope] = await enqueue_many(conn, [(payload, correlation_id)], producer=producer,
                                    headers=[trace_headers(correlation_id) | (headers or {})])
    return envelope


async def enqueue_many(
    conn: asyncpg.Connection, payloads: Sequence[tuple[EventPayload, str | None]], *, producer: str,
    headers: Sequence[dict[str, str]] | None = None,
) -> list[Envelope]:
    """Like `enqueue` for many (payload, correlation id) pairs, in one statement. `headers`: each message's
    own, in place of the current trace context (work done for many traces at once, as a batch of emails)."""
    if not payloads:
        return []
    if headers is None:
        headers = [trace_headers(c) for _, c in payloads]
    rows = [_row(p, producer=producer, correlation_id=c, headers=h) for (p, c), h in zip(payloads, headers, strict=True)]
    # One round trip for the rows and the NOTIFY (delivered at commit) that wakes the relay. The bodies
    # are JSON text already: cast in SQL rather than encoded again by the jsonb codec.
    await conn.execute(
        f"""
        WITH written AS (
            INSERT INTO outbox_message ({_COLUMNS})
            SELECT event_id, topic, message_key, event_type, body::jsonb, headers
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) WITH ORDINALITY
                AS m({_COLUMNS}, n)
            ORDER BY n  -- ids in the order given: the relay publishes in id order
            RETURNING 1
        )
        SELECT {_WAKE.format(7)} FROM (SELECT count(*) FROM written) AS done
        """,
        *(list(column) for column in zip(*(row.values for row in rows), strict=True)),
        OUTBOX_CHANNEL,
    )
    return [row.envelope for row in rows]


@dataclass(frozen=True)
class InStatement:
    """A message to write in the caller's own statement: `cte` (a data-modifying WITH item) inserts it once
    for each row of the caller's `source` CTE, and the statement selects `wake` (the relay's NOTIFY, as
    the statement's outer query must: a CTE that is not data-modifying runs only when selected from)."""

    envelope: Envelope
    cte: str
    wake: str
    parameters: tuple[Any, ...]


def in_statement(payload: EventPayload, *, producer: str, correlation_id: str | None, source: str,
                 first_parameter: int) -> InStatement:
    """`payload` as part of the caller's statement, its parameters numbered from `first_parameter`; for a
    change and its message in one statement (atomic without a transaction, one round trip)."""
    row = _row(payload, producer=producer, correlation_id=correlation_id, headers=trace_headers(correlation_id))
    p = first_parameter
    cte = f"""outbox_write AS (
            INSERT INTO outbox_message ({_COLUMNS})
            SELECT ${p}::uuid, ${p + 1}::text, ${p + 2}::text, ${p + 3}::text, ${p + 4}::text::jsonb, ${p + 5}::jsonb
            FROM {source}
        )"""
    return InStatement(row.envelope, cte, _WAKE.format(p + 6), (*row.values, OUTBOX_CHANNEL))


_COLUMNS = "event_id, topic, message_key, event_type, body, headers"
_WAKE = "pg_notify(${}, '')"


@dataclass(frozen=True)
class _Row:
    envelope: Envelope
    values: tuple[UUID, str, str, str, str, dict[str, str]]  # in the order of _COLUMNS


def _row(payload: EventPayload, *, producer: str, correlation_id: str | None, headers: dict[str, str]) -> _Row:
    envelope = Envelope.wrap(payload, producer=producer, correlation_id=correlation_id)
    return _Row(envelope, (envelope.event_id, payload.topic, payload.message_key(), payload.event_type,
                           envelope.model_dump_json(), headers))


@dataclass(frozen=True)
class Backlog:
    messages: int
    oldest_age_seconds: float


async def backlog(conn: asyncpg.Connection | asyncpg.Pool) -> Backlog:
    """The rows not yet published and the age of the oldest, from the partial index on unpublished rows."""
    row = await conn.fetchrow(
        """
        SELECT (SELECT count(*) FROM outbox_message WHERE published_at IS NULL) AS messages,
               coalesce(extract(epoch FROM now() - (
                   SELECT created_at FROM outbox_message WHERE published_at IS NULL ORDER BY id LIMIT 1)), 0)
                   ::float8 AS oldest_age_seconds
        """
    )
    return Backlog(**row)


ProducerFactory = Callable[[], Awaitable[AIOKafkaProducer]]


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        dsn: str,
        producer_factory: ProducerFactory,
        *,
        batch_size: int = 500,
        poll_interval: float = 2.0,
        linger: float = 0.0,
        publish_timeout: float = 15.0,
        max_backoff: float = 5.0,
    ) -> None:
        self._pool = pool
        self._dsn = dsn
        self._producer_factory = producer_factory
        self._producer: AIOKafkaProducer | None = None
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._linger = linger
        self._publish_timeout = publish_timeout
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Let `run()` finish the batch in hand, publish what is left, and return."""
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Publish until stopped (or cancelled: a batch cut off in the middle is published again later)."""
        listener = await self._listen()
        backoff = 0.1
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                    backoff = 0.1
                except Exception as exc:  # broker or database away: keep the rows, try again
                    OUTBOX_PUBLISH_FAILURES.inc()
                    log.warning("outbox relay: publishing failed, retrying in %.1fs: %r", backoff, exc)
                    await self._drop_producer()
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), backoff)
                    backoff = min(backoff * 2, self._max_backoff)
                    continue
                if published >= self._batch_size:
                    continue  # more may be waiting
                if listener is None or listener.is_closed():
                    listener = await self._listen()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval)
                await self._linger_for_more()
            await self._drain()
        finally:
            await self._drop_producer()
            if listener is not None and not listener.is_closed():
                await listener.close()

    async def _linger_for_more(self) -> None:
        """Let the commits that follow the one that woke us join its batch, as a Kafka producer's `linger.ms`
        does: at a steady rate of requests, a few full batches rather than one per commit. Fewer transactions
        here, and fuller record batches for the consumers (the embedded broker hands a consumer one record
        batch per partition and fetch, so there one message per batch caps how fast consumers can read)."""
        if self._linger > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._linger)

    async def _drain(self) -> None:
        # Stopping: what the consumers committed while they stopped goes out now rather than at the next start.
        try:
            while await self.publish_pending() >= self._batch_size:
                pass
        except Exception as exc:
            log.warning("outbox relay: stopping with rows unpublished (published at the next start): %r", exc)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; the number published (0 if another relay holds the lock)."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", RELAY_LOCK_KEY):
                return 0
            rows = await conn.fetch(
                """
                SELECT id, topic, message_key, body::text AS body, headers
                FROM outbox_message WHERE published_at IS NULL ORDER BY id LIMIT $1
                """,
                self._batch_size,
            )
            if not rows:
                return 0
            await asyncio.wait_for(self._publish(rows), self._publish_timeout)
            await conn.execute(
                "UPDATE outbox_message SET published_at = now() WHERE id = ANY($1::bigint[])",
                [row["id"] for row in rows],
            )
        for topic, count in Counter(row["topic"] for row in rows).items():
            MESSAGES_PUBLISHED.labels(topic).inc(count)
        return len(rows)

    async def _publish(self, rows: Sequence[asyncpg.Record]) -> None:
        producer = await self._ensure_producer()
        # Queue all, then wait: the producer batches them and keeps per-partition order.
        pending = [
            await producer.send(
                row["topic"],
                value=row["body"].encode(),
                key=row["message_key"].encode(),
                headers=[(k, v.encode()) for k, v in (row["headers"] or {}).items()],
            )
            for row in rows
        ]
        await asyncio.gather(*pending)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            self._producer = await self._producer_factory()
        return self._producer

    async def _drop_producer(self) -> None:
        # After a failure the producer's idempotence sequence may be broken: start a fresh one.
        producer, self._producer = self._producer, None
        if producer is not None:
            with suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5)

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            listener = await asyncpg.connect(self._dsn)
            await listener.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("outbox relay: cannot listen for new rows, polling: %r", exc)
            return None
        return listener
