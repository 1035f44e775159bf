"""The transactional outbox: services never write the database and then publish.

`enqueue` writes a message in the caller's transaction; the `OutboxRelay` publishes committed rows
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
    envelopes = [Envelope.wrap(p, producer=producer, correlation_id=c) for p, c in payloads]
    if headers is None:
        headers = [trace_headers(c) for _, c in payloads]
    # One round trip for the rows and the NOTIFY (delivered at commit) that wakes the relay. The bodies
    # are JSON text already: cast in SQL rather than encoded again by the jsonb codec.
    await conn.execute(
        """
        WITH written AS (
            INSERT INTO outbox_message (event_id, topic, message_key, event_type, body, headers)
            SELECT event_id, topic, message_key, event_type, body::jsonb, headers
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) WITH ORDINALITY
                AS m(event_id, topic, message_key, event_type, body, headers, n)
            ORDER BY n  -- ids in the order given: the relay publishes in id order
            RETURNING 1
        )
        SELECT pg_notify($7, '') FROM (SELECT count(*) FROM written) AS done
        """,
        [e.event_id for e in envelopes],
        [p.topic for p, _ in payloads],
        [p.message_key() for p, _ in payloads],
        [p.event_type for p, _ in payloads],
        [e.model_dump_json() for e in envelopes],
        list(headers),
        OUTBOX_CHANNEL,
    )
    return envelopes


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
