"""Batch consumers with the inbox and a dead-letter topic, on FastStream.

Each service gives one handler table (its `entrypoints/consumers.py`): message type → handler.
The consumer subscribes to the topics of those types, parses each message's envelope and payload
once, and hands consecutive messages that go to one handler (a run of one type, at least) to it
together, in their order: a run of requests is decided together, and a message is never handled
before one that came earlier on its partition (the order per key). Types without a handler are
recorded in the inbox and otherwise ignored.

A batch of records is handled in one database transaction (throughput); ids already in the inbox
are dropped. If the batch fails, each record is tried alone so that one bad message cannot hold
up the others: a record that cannot be parsed or handled goes to `<topic>.dlq` with the error,
and the consumer goes on. A database that is away is not the message's fault: the batch is
rewound and tried again after a pause.

Handlers loop over their messages with `one_by_one`, so each log line names the registration it is
about; `commit_hooks.after_commit` defers what must only happen once the batch's transaction has
committed.
"""

import asyncio
import itertools
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg
from aiokafka import ConsumerRecord
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from opentelemetry.trace import Tracer
from pydantic import ValidationError

from ..contracts.envelope import Envelope, EventPayload
from ..logs import correlation_id
from ..metrics import MESSAGE_HANDLER_LATENCY, MESSAGES_CONSUMED
from ..tracing import consuming, record_headers
from .broker import CONSUMER_SETTINGS
from .commit_hooks import run_after_commit
from .inbox import claim

log = logging.getLogger(__name__)

P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class Received(Generic[P]):
    """A message as its handler gets it: the payload, parsed once, and the envelope it came in."""

    payload: P
    envelope: Envelope


# A handler gets the connection of the batch's transaction, its run of messages and the service's
# dependencies (what `Runtime.consume` was given with the table: links, settings, a clock, ...).
Handler = Callable[[asyncpg.Connection, Sequence[Received[Any]], Any], Awaitable[None]]
HandlerTable = Mapping[type[EventPayload], Handler]

# Failures that are not the message's fault: the batch is tried again as it is, never dead-lettered.
_TRANSIENT = (OSError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
              asyncpg.TooManyConnectionsError, asyncpg.ConnectionDoesNotExistError,
              asyncpg.AdminShutdownError, asyncpg.DeadlockDetectedError,
              asyncpg.SerializationError, TimeoutError)


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


def one_by_one(messages: Sequence[Received[P]]) -> Iterator[Received[P]]:
    """The messages in order, each one's correlation id on the log lines written while it is handled."""
    previous = correlation_id.get()
    try:
        for message in messages:
            correlation_id.set(message.envelope.correlation_id)
            yield message
    finally:
        correlation_id.set(previous)


def topics_of(handlers: HandlerTable) -> list[str]:
    """The topics that carry the table's message types, in the table's order."""
    return list(dict.fromkeys(message_type.topic for message_type in handlers))


# A record as the consumer works with it: its envelope and payload (None: no handler here for its type).
_Parsed = tuple[ConsumerRecord, Envelope, EventPayload | None]


@dataclass
class InboxConsumer:
    """Handles the records of a service's topics with its handler table.

    One consumer per process for all topics: one Kafka group member, one transaction per batch.
    """

    name: str
    pool: Callable[[], asyncpg.Pool]
    handlers: HandlerTable
    publish_dead_letter: Callable[[ConsumerRecord, str], Awaitable[None]]
    dependencies: Any = None  # given to every handler
    retry_pause: float = 1.0
    tracer: Tracer | None = None  # None: tracing is off
    _types: dict[tuple[str, str], type[EventPayload]] = field(init=False)

    def __post_init__(self) -> None:
        self._types = {(message_type.topic, message_type.event_type): message_type for message_type in self.handlers}

    @property
    def topics(self) -> list[str]:
        return topics_of(self.handlers)

    async def consume(self, records: Sequence[ConsumerRecord]) -> None:
        parsed: list[_Parsed] = []
        for record in records:
            try:
                envelope = Envelope.model_validate_json(record.value or b"")
            except ValidationError as exc:
                await self._dead_letter(record, f"not a valid envelope: {exc}", reason="not a valid envelope")
                continue
            message_type = self._types.get((record.topic, envelope.event_type))
            try:
                payload = message_type.model_validate(envelope.payload) if message_type is not None else None
            except ValidationError as exc:
                await self._dead_letter(record, f"{type(exc).__name__}: {exc}",
                                        reason=f"{envelope.event_type} {envelope.event_id}: not a valid payload")
                continue
            parsed.append((record, envelope, payload))
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
            for message in parsed:
                await self._handle_alone(message)

    async def _handle_alone(self, message: _Parsed) -> None:
        record, envelope, _ = message
        token = correlation_id.set(envelope.correlation_id)
        try:
            await self._handle([message])
        except _TRANSIENT:
            _count([message], "failed")
            await asyncio.sleep(self.retry_pause)
            raise
        except Exception as exc:
            await self._dead_letter(record, f"{type(exc).__name__}: {exc}",
                                    reason=f"{envelope.event_type} {envelope.event_id}: {type(exc).__name__}")
        finally:
            correlation_id.reset(token)

    async def _handle(self, messages: Sequence[_Parsed]) -> None:
        with run_after_commit():
            fresh = await self._handle_new(messages)
        handled = _count(fresh, "handled")
        for topic, count in Counter(record.topic for record, _, _ in messages).items():
            MESSAGES_CONSUMED.labels(topic, "duplicate").inc(count - handled[topic])
        if log.isEnabledFor(logging.DEBUG):
            self._log_handled(fresh)

    async def _handle_new(self, messages: Sequence[_Parsed]) -> list[_Parsed]:
        """Handle the messages not in the inbox yet, in one transaction; those messages."""
        async with self.pool().acquire() as conn, conn.transaction():
            new_ids = await claim(conn, self.name, [envelope.event_id for _, envelope, _ in messages])
            fresh: list[_Parsed] = []
            for message in messages:
                event_id = message[1].event_id
                if event_id in new_ids:
                    new_ids.discard(event_id)  # the same message twice in one batch counts once
                    fresh.append(message)
            with consuming(self.tracer, self.name, [(record, envelope) for record, envelope, _ in fresh]):
                # The messages without a handler here change nothing, so they do not split a run: consecutive
                # messages for one handler go to it together, in their order.
                handled = [(self.handlers[type(payload)], record.topic, Received(payload, envelope))
                           for record, envelope, payload in fresh if payload is not None]
                for (handler, topic), run in itertools.groupby(handled, key=lambda item: item[:2]):
                    started = time.perf_counter()
                    await handler(conn, [message for _, _, message in run], self.dependencies)
                    MESSAGE_HANDLER_LATENCY.labels(topic).observe(time.perf_counter() - started)
        return fresh

    def _log_handled(self, messages: Sequence[_Parsed]) -> None:
        for record, envelope, _ in messages:
            token = correlation_id.set(envelope.correlation_id)
            log.debug("%s: handled %s %s from %s[%d]@%d", self.name, envelope.event_type, envelope.event_id,
                      record.topic, record.partition, record.offset)
            correlation_id.reset(token)

    async def _dead_letter(self, record: ConsumerRecord, error: str, *, reason: str) -> None:
        """`error` (the full text, which may quote the message's personal data) goes with the dead
        letter only; the log gets `reason`, which names no more than types and ids."""
        MESSAGES_CONSUMED.labels(record.topic, "dead_lettered").inc()
        log.error("%s: message at %s[%d]@%d goes to the dead-letter topic: %s",
                  self.name, record.topic, record.partition, record.offset, reason)
        await self.publish_dead_letter(record, error)


def _count(messages: Sequence[_Parsed], outcome: str) -> Counter[str]:
    by_topic = Counter(record.topic for record, _, _ in messages)
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
        *consumer.topics,
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
