"""Where the tests find PostgreSQL and Kafka: an explicit environment variable, else a
testcontainers container when a Docker engine answers, else the embedded stack of `make dev`.
The same test bodies run against all three.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from treffpunkt_shared.embedded.kafka import EmbeddedKafka
from treffpunkt_shared.embedded.postgres import EmbeddedPostgres
from treffpunkt_shared.topics import Topic, all_topics

POSTGRES_IMAGE = "postgres:16-alpine"
KAFKA_IMAGE = "apache/kafka:3.9.1"


@cache
def docker_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:  # no engine, no socket, no permission: all mean "not here"
        return False
    return True


@dataclass
class PostgresBackend:
    url: str
    kind: str
    embedded: EmbeddedPostgres | None = None


@dataclass
class KafkaBackend:
    bootstrap_servers: list[str]
    kind: str
    embedded: EmbeddedKafka | None = None

    @property
    def fetch_max_wait_ms(self) -> int:
        # The mock broker does not wake a waiting fetch when data arrives.
        return 10 if self.embedded else 100


@contextmanager
def postgres_backend(tmp_dir: Path) -> Iterator[PostgresBackend]:
    if url := os.environ.get("DATABASE_URL"):
        yield PostgresBackend(url, "environment")
    elif docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer(POSTGRES_IMAGE, driver=None) as container:
            yield PostgresBackend(container.get_connection_url(), "container")
    else:
        server = EmbeddedPostgres(tmp_dir / "postgres", delete_on_stop=True)
        try:
            yield PostgresBackend(server.url, "embedded", server)
        finally:
            server.stop()


@contextmanager
def shared_kafka_backend() -> Iterator[KafkaBackend | None]:
    """A broker for the whole session, or None where each test gets a fresh embedded one."""
    if servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        backend = KafkaBackend([s.strip() for s in servers.split(",")], "environment")
        create_topics(backend.bootstrap_servers, all_topics())
        yield backend
    elif docker_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer(KAFKA_IMAGE).with_kraft() as container:
            backend = KafkaBackend([container.get_bootstrap_server()], "container")
            create_topics(backend.bootstrap_servers, all_topics())
            yield backend
    else:
        yield None


@contextmanager
def embedded_kafka_backend() -> Iterator[KafkaBackend]:
    broker = EmbeddedKafka(all_topics())
    try:
        yield KafkaBackend(broker.bootstrap_servers, "embedded", broker)
    finally:
        broker.stop()


def create_topics(bootstrap_servers: list[str], topics: tuple[Topic, ...]) -> None:
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    async def create() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
        await admin.start()
        try:
            for topic in topics:
                try:
                    await admin.create_topics([NewTopic(topic.name, topic.partitions, 1)])
                except TopicAlreadyExistsError:
                    pass
        finally:
            await admin.close()

    asyncio.run(create())
