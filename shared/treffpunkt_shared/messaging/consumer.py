"""Batch consumers with the inbox and a dead-letter topic, on FastStream.

A batch of records is handled in one database transaction (throughput); ids already in the inbox
are dropped. If the batch fails, each record is tried alone so that one bad message cannot hold
up the others: a record that cannot be parsed or handled goes to `<topic>.dlq` with the error,
and the consumer goes on. A database that is away is not the message's fault: the batch is
rewound and tried again after a pause.

Handlers loop over their batch with `one_by_one`, so each log line names the registration it is
about; `after_commit` defers what must only happen once the batch's transaction has committed
(counting what it did: a batch rolled back and handled again must not count twice).
"""

import asyncio
import itertools
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

import asyncpg
from aiokafka import ConsumerRecord
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from opentelemetry.trace import Tracer
from pydantic import ValidationError

from ..contracts.envelope import Envelope
from ..logs import correlation_id
from ..metrics import MESSAGE_HANDLER_LATENCY, MESSAGES_CONSUMED
from ..tracing import consuming, record_headers
from .broker import CONSUMER_SETTINGS
from .inbox import claim

log = logging.getLogger(__name__)

BatchHandler = Callable[[asyncpg.Connection, Sequence[Envelope]], Awaitable[None]]

# Failures that are not the message's fault: the batch is tried again as it is, never dead-lettered.
_TRANSIENT = (OSError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
              asyncpg.TooManyConnectionsError, asyncpg.ConnectionDoesNotExistError,
              asyncpg.AdminShutdownError, asyncpg.DeadlockDetectedError,
              asyncpg.SerializationError, TimeoutError)


_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar("after_commit", default=None)


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


def one_by_one(envelopes: Sequence[Envelope]) -> Iterator[Envelope]:
    """The batch's envelopes in order, each one's correlation id on the log lines written while it is handled."""
    previous = correlation_id.get()
    try:
        for envelope in envelopes:
            correlation_id.set(envelope.correlation_id)
            yield envelope
    finally:
        correlation_id.set(previous)


def after_commit(callback: Callable[[], None]) -> None:
    """Call `callback` once the transaction of the batch being handled has committed."""
    callbacks = _after_commit.get()
    if callbacks is None:
        raise RuntimeError("after_commit() is for the handlers of a consumer, while they handle a batch")
    callbacks.append(callback)


@dataclass
class ConsumerStats:
    handled: int = 0
    duplicates: int = 0
    dead_lettered: int = 0


@dataclass
class InboxConsumer:
    """Handles the records of a service's topics, each topic with its handler.

    One consumer per process for all topics: one Kafka group member, one transaction per batch.
    """

    name: str
    pool: Callable[[], asyncpg.Pool]
    handlers: dict[str, BatchHandler]
    publish_dead_letter: Callable[[ConsumerRecord, str], Awaitable[None]]
    retry_pause: float = 1.0
    tracer: Tracer | None = None  # None: tracing is off

    def __post_init__(self) -> None:
        self.stats = ConsumerStats()

    async def consume(self, records: Sequence[ConsumerRecord]) -> None:
        parsed: list[tuple[ConsumerRecord, Envelope]] = []
        for record in records:
            try:
                parsed.append((record, Envelope.model_validate_json(record.value or b"")))
            except ValidationError as exc:
                await self._dead_letter(record, f"not a valid envelope: {exc}", reason="not a valid envelope")
        if not parsed:
            return
        try:
            await self._handle(parsed)
        except _TRANSIENT:
            _count(parsed, "failed")
            await asyncio.sleep(self.retry_pause)
            raise
        except Exception:
            log.warning("%s: a batch of %d failed; handling its messages one by one", self.name, len(parsed))
            for record, envelope in parsed:
                await self._handle_alone(record, envelope)

    async def _handle_alone(self, record: ConsumerRecord, envelope: Envelope) -> None:
        token = correlation_id.set(envelope.correlation_id)
        try:
            await self._handle([(record, envelope)])
        except _TRANSIENT:
            _count([(record, envelope)], "failed")
            await asyncio.sleep(self.retry_pause)
            raise
        except Exception as exc:
            await self._dead_letter(record, f"{type(exc).__name__}: {exc}",
                                    reason=f"{envelope.event_type} {envelope.event_id}: {type(exc).__name__}")
        finally:
            correlation_id.reset(token)

    async def _handle(self, messages: Sequence[tuple[ConsumerRecord, Envelope]]) -> None:
        committed: list[Callable[[], None]] = []
        token = _after_commit.set(committed)
        try:
            fresh = await self._handle_new(messages)
        finally:
            _after_commit.reset(token)
        for callback in committed:
            callback()
        self.stats.handled += len(fresh)
        self.stats.duplicates += len(messages) - len(fresh)
        handled = _count(fresh, "handled")
        for topic, count in Counter(record.topic for record, _ in messages).items():
            MESSAGES_CONSUMED.labels(topic, "duplicate").inc(count - handled[topic])
        if log.isEnabledFor(logging.DEBUG):
            self._log_handled(fresh)

    async def _handle_new(self, messages: Sequence[tuple[ConsumerRecord, Envelope]]) -> list[tuple[ConsumerRecord, Envelope]]:
        """Handle the messages not in the inbox yet, in one transaction; those messages."""
        async with self.pool().acquire() as conn, conn.transaction():
            new_ids = await claim(conn, self.name, [envelope.event_id for _, envelope in messages])
            fresh: list[tuple[ConsumerRecord, Envelope]] = []
            for record, envelope in messages:
                if envelope.event_id in new_ids:
                    new_ids.discard(envelope.event_id)  # the same message twice in one batch counts once
                    fresh.append((record, envelope))
            with consuming(self.tracer, self.name, fresh):
                # Consecutive messages of one topic go to its handler together, in their order.
                for topic, group in itertools.groupby(fresh, key=lambda item: item[0].topic):
                    started = time.perf_counter()
                    await self.handlers[topic](conn, [envelope for _, envelope in group])
                    MESSAGE_HANDLER_LATENCY.labels(topic).observe(time.perf_counter() - started)
        return fresh

    def _log_handled(self, messages: Sequence[tuple[ConsumerRecord, Envelope]]) -> None:
        for record, envelope in messages:
            token = correlation_id.set(envelope.correlation_id)
            log.debug("%s: handled %s %s from %s[%d]@%d", self.name, envelope.event_type, envelope.event_id,
                      record.topic, record.partition, record.offset)
            correlation_id.reset(token)

    async def _dead_letter(self, record: ConsumerRecord, error: str, *, reason: str) -> None:
        """`error` (the full text, which may quote the message's personal data) goes with the dead
        letter only; the log gets `reason`, which names no more than types and ids."""
        self.stats.dead_lettered += 1
        MESSAGES_CONSUMED.labels(record.topic, "dead_lettered").inc()
        log.error("%s: message at %s[%d]@%d goes to the dead-letter topic: %s",
                  self.name, record.topic, record.partition, record.offset, reason)
        await self.publish_dead_letter(record, error)


def _count(messages: Sequence[tuple[ConsumerRecord, Envelope]], outcome: str) -> Counter[str]:
    by_topic = Counter(record.topic for record, _ in messages)
    for topic, count in by_topic.items():
        MESSAGES_CONSUMED.labels(topic, outcome).inc(count)
    return by_topic


def subscribe(
    broker: KafkaBroker,
    consumer: InboxConsumer,
    *,
    fetch_max_wait_ms: int,
    max_records: int = 500,
) -> None:
    """Register `consumer` for its topics, in the consumer group named after the service."""

    async def on_batch(message: KafkaMessage = Context("message")) -> None:
        raw = message.raw_message
        await consumer.consume(raw if isinstance(raw, tuple) else (raw,))

    on_batch.__name__ = f"{consumer.name}_consumer"
    broker.subscriber(
        *consumer.handlers,
        description=f"Consumer group `{consumer.name}`: batches of up to {max_records} messages, each batch handled "
        "in one transaction that records the message ids (inbox), so a redelivered message changes nothing. A "
        "message that cannot be handled goes to `<topic>.dlq` with the error in the `dlq-error` header.",
        group_id=consumer.name,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=fetch_max_wait_ms,
        **CONSUMER_SETTINGS,
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )(on_batch)


def dead_letter_publisher(broker: KafkaBroker, service: str) -> Callable[[ConsumerRecord, str], Awaitable[None]]:
    async def publish(record: ConsumerRecord, error: str) -> None:
        await broker.publish(
            record.value or b"",
            topic=dead_letter_topic(record.topic),
            key=record.key,
            # The record's own headers too: its trace goes on to whoever handles the dead letter.
            headers=record_headers(record) | {
                "dlq-error": error[:2000],
                "dlq-consumer": service,
                "dlq-source": f"{record.topic}[{record.partition}]@{record.offset}",
            },
        )

    return publish
