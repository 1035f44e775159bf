"""Kafka clients for a service: the FastStream broker for consuming, an idempotent producer for the outbox."""

import logging
from contextlib import suppress

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from ..settings import ServiceSettings

# The consumers' settings, for Apache Kafka (the mock broker takes them too). A SIGKILLed member is given
# up after the session (10 s: the rebalance that hands its partitions on follows); heartbeats every
# second let the others hear of a rebalance soon. A fetch returns as soon as one byte is there (a real
# broker wakes a waiting fetch when data arrives); up to 1 MiB per partition and 8 MiB per fetch bound
# the memory a consumer far behind takes.
CONSUMER_SETTINGS = {
    "session_timeout_ms": 10_000,
    "heartbeat_interval_ms": 1_000,
    "fetch_min_bytes": 1,
    "max_partition_fetch_bytes": 1024 * 1024,
    "fetch_max_bytes": 8 * 1024 * 1024,
}


def _not_the_auto_create_reminder(record: logging.LogRecord) -> bool:
    # FastStream says this at every start when clients may not create topics, which is as we want it:
    # the topics come from topics.py through the Admin API before any service starts.
    return not record.getMessage().startswith("Auto create topics is disabled")


def create_broker(settings: ServiceSettings) -> KafkaBroker:
    logger = logging.getLogger(f"{settings.service_name}.kafka")
    if _not_the_auto_create_reminder not in logger.filters:
        logger.addFilter(_not_the_auto_create_reminder)
    return KafkaBroker(
        list(settings.kafka_bootstrap_servers),
        client_id=settings.service_name,
        logger=logger,
        # Topics are created by the deployment (or the embedded stack), not by clients.
        allow_auto_create_topics=False,
        # Dead letters: written once and kept, as the outbox's messages are.
        acks="all",
        enable_idempotence=True,
    )


def producer_factory(settings: ServiceSettings):
    async def create() -> AIOKafkaProducer:
        producer = AIOKafkaProducer(
            bootstrap_servers=list(settings.kafka_bootstrap_servers),
            client_id=f"{settings.service_name}-outbox",
            enable_idempotence=True,
            acks="all",
            # The relay lingers for more rows itself (outbox_linger_ms) and hands the producer a whole
            # batch at once; 64 KiB record batches carry a few hundred of our messages per partition.
            linger_ms=2,
            max_batch_size=64 * 1024,
            request_timeout_ms=10_000,
        )
        try:
            await producer.start()
        except BaseException:
            # A producer that never started still holds its client: close it here, not at garbage collection.
            with suppress(Exception):
                await producer.stop()
            raise
        return producer

    return create
