"""Fixtures: the backing services (see backends.py) and the Treffpunkt services on top of them."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from treffpunkt_devstack.mailbox import Mailbox
from treffpunkt_shared.contracts.envelope import Envelope

from .backends import (
    BROKER_NOTES,
    BROKERS_USED,
    KafkaBackend,
    MailpitMailbox,
    PostgresBackend,
    kafka_with_empty_topics,
    mailpit_backend,
    postgres_backend,
    shared_kafka_backend,
)
from .services import RunningService
from .services import start_service as _start_service
from .staff_tokens import StaffIssuer, staff_issuer  # noqa: F401  (a fixture)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresBackend]:
    with postgres_backend(tmp_path_factory.mktemp("pg")) as backend:
        yield backend


@pytest.fixture(scope="session")
def postgres_url(postgres: PostgresBackend) -> str:
    return postgres.url


@pytest.fixture(scope="session")
def _session_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBackend | None]:
    with shared_kafka_backend(tmp_path_factory.mktemp("kafka")) as backend:
        yield backend


@pytest.fixture
def kafka(_session_kafka: KafkaBackend | None) -> Iterator[KafkaBackend]:
    """The session's Apache Kafka with empty topics, else a fresh mock broker for each test: either way
    no test sees another's messages."""
    with kafka_with_empty_topics(_session_kafka) as backend:
        yield backend


@pytest.fixture
def kafka_bootstrap(kafka: KafkaBackend) -> list[str]:
    return kafka.bootstrap_servers


@pytest.fixture
async def start_service(postgres_url: str, kafka: KafkaBackend,
                        staff_issuer: StaffIssuer) -> AsyncIterator[Callable[..., Awaitable[RunningService]]]:  # noqa: F811
    running: list[RunningService] = []

    async def start(name: str, **overrides: Any) -> RunningService:
        service = await _start_service(name, postgres_url=postgres_url, kafka_servers=kafka.bootstrap_servers,
                                       fetch_max_wait_ms=kafka.fetch_max_wait_ms,
                                       mock_broker=kafka.embedded is not None, staff_issuer=staff_issuer,
                                       **overrides)
        running.append(service)
        return service

    yield start
    await asyncio.gather(*(service.stop() for service in reversed(running)))


@pytest.fixture
def read_topic(kafka: KafkaBackend) -> Callable[..., Awaitable[list[Envelope]]]:
    async def read(topic: str, *, count: int, timeout: float = 10.0, raw: bool = False, key: str | None = None) -> list[Any]:
        """The first `count` messages of `topic` (from the beginning; with `key`, those with that key; a broker
        shared by the session holds other tests' messages too), read with a real consumer."""
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap_servers, group_id=None,
                                    auto_offset_reset="earliest", enable_auto_commit=False,
                                    fetch_max_wait_ms=kafka.fetch_max_wait_ms)
        await consumer.start()
        records = []
        try:
            async with asyncio.timeout(timeout):
                while len(records) < count:
                    batch = await consumer.getmany(timeout_ms=200)
                    for partition_records in batch.values():
                        records.extend(r for r in partition_records if key is None or r.key == key.encode())
        except TimeoutError:
            raise AssertionError(f"{topic}: {len(records)} of {count} messages arrived within {timeout}s") from None
        finally:
            await consumer.stop()
        return records if raw else [Envelope.model_validate_json(r.value) for r in records]

    return read


@pytest.fixture(scope="session")
def _session_mailpit() -> Iterator[MailpitMailbox | None]:
    with mailpit_backend() as backend:
        yield backend


@pytest.fixture
async def mailbox(_session_mailpit: MailpitMailbox | None) -> AsyncIterator[Mailbox | MailpitMailbox]:
    """A real SMTP server that keeps what it receives: Mailpit (from the environment or a container),
    emptied for each test, else a fresh embedded mailbox (the one `make dev` shows on port 8025)."""
    if _session_mailpit is not None:
        _session_mailpit.clear()
        yield _session_mailpit
        return
    async with Mailbox(web_port=None) as box:
        yield box


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if BROKERS_USED:
        used = ", ".join(f"{kind}: {count}" for kind, count in sorted(BROKERS_USED.items()))
        terminalreporter.write_line(f"Kafka brokers (tests, modules or packages given one): {used}")
    for note in BROKER_NOTES:
        terminalreporter.write_line(note)
