"""Kafka clients for a service: the FastStream broker for consuming, an idempotent producer for the outbox."""

import logging

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from ..settings import ServiceSettings


def create_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        list(settings.kafka_bootstrap_servers),
        client_id=settings.service_name,
        logger=logging.getLogger(f"{settings.service_name}.kafka"),
        # Topics are created by the deployment (or the embedded broker), not by clients.
        allow_auto_create_topics=False,
    )


def producer_factory(settings: ServiceSettings):
    async def create() -> AIOKafkaProducer:
        producer = AIOKafkaProducer(
            bootstrap_servers=list(settings.kafka_bootstrap_servers),
            client_id=f"{settings.service_name}-outbox",
            enable_idempotence=True,
            acks="all",
            linger_ms=2,
            request_timeout_ms=10_000,
        )
        await producer.start()
        return producer

    return create
