"""Batch consumers with the inbox and a dead-letter topic, on FastStream.

A batch of records is handled in one database transaction (throughput); ids already in the inbox
are dropped. If the batch fails, each record is tried alone so that one bad message cannot hold
up the others: a record that cannot be parsed or handled goes to `<topic>.dlq` with the error,
and the consumer goes on. A database that is away is not the message's fault: the batch is
rewound and tried again after a pause.
"""

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import ConsumerRecord
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from pydantic import ValidationError

from ..contracts.envelope import Envelope
from ..logs import correlation_id
from .inbox import claim

log = logging.getLogger(__name__)

BatchHandler = Callable[[asyncpg.Connection, Sequence[Envelope]], Awaitable[None]]

# Failures that are not the message's fault: the batch is tried again as it is, never dead-lettered.
_TRANSIENT = (OSError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
              asyncpg.TooManyConnectionsError, asyncpg.ConnectionDoesNotExistError,
              asyncpg.AdminShutdownError, asyncpg.DeadlockDetectedError,
              asyncpg.SerializationError, TimeoutError)


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


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
            await asyncio.sleep(self.retry_pause)
            raise
        except Exception as exc:
            await self._dead_letter(record, f"{type(exc).__name__}: {exc}",
                                    reason=f"{envelope.event_type} {envelope.event_id}: {type(exc).__name__}")
        finally:
            correlation_id.reset(token)

    async def _handle(self, messages: Sequence[tuple[ConsumerRecord, Envelope]]) -> None:
        async with self.pool().acquire() as conn, conn.transaction():
            new_ids = await claim(conn, self.name, [envelope.event_id for _, envelope in messages])
            fresh: list[tuple[str, Envelope]] = []
            for record, envelope in messages:
                if envelope.event_id in new_ids:
                    new_ids.discard(envelope.event_id)  # the same message twice in one batch counts once
                    fresh.append((record.topic, envelope))
            # Consecutive messages of one topic go to its handler together, in their order.
            for topic, group in itertools.groupby(fresh, key=lambda item: item[0]):
                await self.handlers[topic](conn, [envelope for _, envelope in group])
        self.stats.handled += len(fresh)
        self.stats.duplicates += len(messages) - len(fresh)

    async def _dead_letter(self, record: ConsumerRecord, error: str, *, reason: str) -> None:
        """`error` (the full text, which may quote the message's personal data) goes with the dead
        letter only; the log gets `reason`, which names no more than types and ids."""
        self.stats.dead_lettered += 1
        log.error("%s: message at %s[%d]@%d goes to the dead-letter topic: %s",
                  self.name, record.topic, record.partition, record.offset, reason)
        await self.publish_dead_letter(record, error)


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
        group_id=consumer.name,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=fetch_max_wait_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )(on_batch)


def dead_letter_publisher(broker: KafkaBroker, service: str) -> Callable[[ConsumerRecord, str], Awaitable[None]]:
    async def publish(record: ConsumerRecord, error: str) -> None:
        await broker.publish(
            record.value or b"",
            topic=dead_letter_topic(record.topic),
            key=record.key,
            headers={
                "dlq-error": error[:2000],
                "dlq-consumer": service,
                "dlq-source": f"{record.topic}[{record.partition}]@{record.offset}",
            },
        )

    return publish
