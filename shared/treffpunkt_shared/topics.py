"""Every Kafka topic of the system: the one list that the embedded broker, compose and Kubernetes follow."""

from dataclasses import dataclass

from .contracts.catalog import CATALOG_TOPIC
from .contracts.delivery import DELIVERY_TOPIC
from .contracts.registration import REGISTRATION_TOPIC
from .contracts.seats import SEAT_TOPIC
from .contracts.staff import STAFF_TOKEN_TOPIC

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    producer: str
    consumers: tuple[str, ...]
    key: str
    partitions: int = 6
    retention_ms: int = -1  # -1: kept (compacted snapshots)
    compacted: bool = False
    personal_data: bool = False


TOPICS: tuple[Topic, ...] = (
    Topic(CATALOG_TOPIC, "catalog", ("registration", "notification"), "aggregate id", compacted=True),
    Topic(SEAT_TOPIC, "catalog", ("registration",), "registration id", retention_ms=7 * DAY_MS),
    Topic(REGISTRATION_TOPIC, "registration", ("catalog", "notification"), "registration id",
          retention_ms=7 * DAY_MS, personal_data=True),
    Topic(DELIVERY_TOPIC, "notification", ("registration",), "registration id", retention_ms=7 * DAY_MS,
          personal_data=True),
    Topic(STAFF_TOKEN_TOPIC, "staff", ("catalog", "registration", "notification"), "token id", partitions=1,
          compacted=True),
)


def dead_letter_topics() -> tuple[Topic, ...]:
    # A dead letter may hold whatever its source held: bounded retention for all of them.
    return tuple(
        Topic(f"{t.name}.dlq", ", ".join(t.consumers), (), t.key, partitions=1,
              retention_ms=14 * DAY_MS, personal_data=t.personal_data)
        for t in TOPICS if t.consumers
    )


def all_topics() -> tuple[Topic, ...]:
    return TOPICS + dead_letter_topics()


def topic_configs(topic: Topic) -> dict[str, str]:
    """The topic-level configuration a broker is given for `topic`."""
    if topic.compacted:
        return {"cleanup.policy": "compact"}
    return {"cleanup.policy": "delete", "retention.ms": str(topic.retention_ms)}


async def create_topics(bootstrap_servers: list[str], topics: tuple[Topic, ...] | None = None, *,
                        replication_factor: int = 1, timeout_ms: int = 30_000) -> list[str]:
    """Create the topics that do not exist yet through the Admin API (CreateTopics), with their partitions,
    retention and compaction; the names of those created. Existing topics are left as they are."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    wanted = all_topics() if topics is None else topics
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=timeout_ms)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            response = await admin.create_topics(
                [NewTopic(t.name, t.partitions, replication_factor, topic_configs=topic_configs(t)) for t in missing],
                timeout_ms=timeout_ms)
            # TOPIC_ALREADY_EXISTS (36): another process was quicker, which is as good.
            failed = [(name, code, message) for name, code, *rest in response.topic_errors
                      if code not in (0, 36) for message in [rest[-1] if rest else ""]]
            if failed:
                raise RuntimeError(f"could not create topics: {failed}")
    finally:
        await admin.close()
    return [t.name for t in missing]


if __name__ == "__main__":
    import argparse
    import asyncio
    import os

    parser = argparse.ArgumentParser(prog="python -m treffpunkt_shared.topics",
                                     description="Create the missing topics of topics.py through the Admin API.")
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
                        help="comma-separated (default: KAFKA_BOOTSTRAP_SERVERS)")
    parser.add_argument("--replication-factor", type=int, default=1)
    arguments = parser.parse_args()
    created = asyncio.run(create_topics(arguments.bootstrap_servers.split(","),
                                        replication_factor=arguments.replication_factor))
    print(f"created {len(created)} topic(s): {', '.join(created) or 'none missing'}")
