"""Every Kafka topic of the system: the one list that the embedded broker, compose and Kubernetes follow."""

from dataclasses import dataclass

from .contracts.catalog import CATALOG_TOPIC
from .contracts.delivery import DELIVERY_TOPIC
from .contracts.registration import REGISTRATION_TOPIC
from .contracts.seats import SEAT_TOPIC

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
    Topic(DELIVERY_TOPIC, "notification", (), "registration id", retention_ms=7 * DAY_MS, personal_data=True),
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
