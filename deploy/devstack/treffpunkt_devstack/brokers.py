"""Which Kafka broker the embedded stack uses, in one order for `make dev`, the tests and the benchmark:

1. `KAFKA_BOOTSTRAP_SERVERS`: a broker someone runs (its topics are created if missing);
2. a testcontainers Apache Kafka, when a Docker engine answers;
3. Apache Kafka on this machine's JVM (Java 17+, and Maven for the first fetch, or the jars fetched already);
4. librdkafka's mock cluster, which is a test double (see `MOCK_NOTE`).

`TREFFPUNKT_BROKER` narrows the choice: `kafka` is any Apache Kafka of 1-3 and fails loudly rather than
fall back to the mock (CI sets it), `mock` is the mock cluster only; unset or `any`: the order above.
"""

import asyncio
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from treffpunkt_shared.topics import all_topics, create_topics

from . import apache_kafka
from .kafka import EmbeddedKafka

CHOICE_VARIABLE = "TREFFPUNKT_BROKER"
CHOICES = ("any", "kafka", "mock")
KAFKA_IMAGE = "apache/kafka:3.9.1"  # as in docker-compose.yml

MOCK_NOTE = (
    "librdkafka's mock cluster is a test double: the real wire protocol, but in memory (lost when it stops),\n"
    "  without compaction or Kafka transactions, with its own group timings, and keeping about 5 MiB per\n"
    "  partition (older messages are dropped). Apache Kafka is used where Java 17+ and Maven are installed."
)


class NoBroker(RuntimeError):
    """The choice allows no broker that can run here."""


@dataclass
class Broker:
    """A broker in use: `kind` is `environment`, `container`, `apache-kafka` or `mock`."""

    kind: str
    bootstrap_servers: list[str]
    description: str
    mock: EmbeddedKafka | None = None
    apache: apache_kafka.ApacheKafka | None = None
    fallback_reason: str = ""  # why a preferred broker was not used
    _container: object | None = field(default=None, repr=False)

    @property
    def is_mock(self) -> bool:
        return self.mock is not None

    def stop(self) -> None:
        if self.mock is not None:
            self.mock.stop()
        if self.apache is not None:
            self.apache.stop()
        if self._container is not None:
            self._container.stop()


def broker_choice(choice: str | None = None) -> str:
    value = (choice or os.environ.get(CHOICE_VARIABLE) or "any").strip().lower()
    if value not in CHOICES:
        raise NoBroker(f"{CHOICE_VARIABLE}={value!r}: choose one of {', '.join(CHOICES)}")
    return value


@cache
def docker_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:  # no engine, no socket, no permission, no package: all mean "not here"
        return False
    return True


def start_mock() -> Broker:
    broker = EmbeddedKafka(all_topics())
    return Broker("mock", broker.bootstrap_servers, "librdkafka's mock cluster (in this process; a test double)",
                  mock=broker)


def start_broker(data_dir: Path, log_path: Path, *, port: int | None = None, choice: str | None = None,
                 environment: bool = True) -> Broker:
    """The first broker of the order that is there or starts, with every topic of `topics.py` created.
    `data_dir` and `log_path` are Apache Kafka's (kept across starts); `environment=False` ignores
    `KAFKA_BOOTSTRAP_SERVERS`."""
    choice = broker_choice(choice)
    if choice == "mock":
        return start_mock()
    if environment and (servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS")):
        broker = Broker("environment", [s.strip() for s in servers.split(",") if s.strip()],
                        f"Kafka from KAFKA_BOOTSTRAP_SERVERS ({servers})")
    elif docker_available():
        broker = _start_container()
    else:
        try:
            java = apache_kafka.check()
        except apache_kafka.Unavailable as exc:
            if choice == "kafka":
                raise NoBroker(f"Apache Kafka cannot run here ({exc}) and {CHOICE_VARIABLE}=kafka forbids "
                               "the mock broker") from None
            broker = start_mock()
            broker.fallback_reason = f"Apache Kafka cannot run here: {exc}; using the mock broker instead."
            return broker
        server = apache_kafka.ApacheKafka(data_dir, log_path, port=port, java=java)
        server.start()
        broker = Broker("apache-kafka", server.bootstrap_servers,
                        f"Apache Kafka {apache_kafka.kafka_version()} (local JVM, pid {server.pid}): "
                        f"{server.bootstrap_servers[0]}, data in {data_dir}, log in {log_path}", apache=server)
    try:
        asyncio.run(create_topics(broker.bootstrap_servers))
    except BaseException:
        broker.stop()
        raise
    return broker


def _start_container() -> Broker:
    from testcontainers.kafka import KafkaContainer

    container = KafkaContainer(KAFKA_IMAGE).with_kraft()
    container.start()
    server = container.get_bootstrap_server()
    return Broker("container", [server], f"Apache Kafka in a container ({KAFKA_IMAGE}): {server}",
                  _container=container)
