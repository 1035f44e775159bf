"""Where the tests find PostgreSQL, Kafka and the SMTP sink: an explicit environment variable, else a
testcontainers container when a Docker engine answers, else the embedded stack of `make dev` (for Kafka:
Apache Kafka on the local JVM, else the mock broker; see treffpunkt_devstack.brokers).
The same test bodies run against all of them.
"""

import asyncio
import itertools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from treffpunkt_devstack.apache_kafka import ApacheKafka
from treffpunkt_devstack.brokers import Broker, docker_available, start_broker
from treffpunkt_devstack.kafka import FETCH_MAX_WAIT_MS, EmbeddedKafka
from treffpunkt_devstack.mailbox import ReceivedMessage
from treffpunkt_devstack.postgres import EmbeddedPostgres
from treffpunkt_shared.topics import all_topics, create_topics

POSTGRES_IMAGE = "postgres:16-alpine"
MAILPIT_IMAGE = "axllent/mailpit:v1.22.3"  # as in docker-compose.yml


@dataclass
class PostgresBackend:
    url: str
    kind: str
    embedded: EmbeddedPostgres | None = None


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


@dataclass
class KafkaBackend:
    bootstrap_servers: list[str]
    kind: str  # environment, container, apache-kafka or mock
    embedded: EmbeddedKafka | None = None  # the mock broker, which a test can take down
    apache: ApacheKafka | None = None  # the local Apache Kafka, which a test can kill and start again

    @property
    def fetch_max_wait_ms(self) -> int:
        return FETCH_MAX_WAIT_MS if self.embedded else 100

    async def go_down(self) -> None:
        """The mock broker closes its connections; Apache Kafka is SIGKILLed (a crash: nothing flushed,
        nothing handed over). A broker of the environment or a container cannot be taken down: skip."""
        if self.embedded is not None:
            self.embedded.set_down()
        elif self.apache is not None:
            await asyncio.to_thread(self.apache.kill)
        else:
            pytest.skip("takes the broker down: needs the embedded one (KAFKA_BOOTSTRAP_SERVERS names another)")

    async def come_up(self) -> None:
        """Back: Apache Kafka started again on its data directory and ports (recovering its logs)."""
        if self.embedded is not None:
            self.embedded.set_up()
        elif self.apache is not None:
            await asyncio.to_thread(self.apache.start)

    def reset_topics(self) -> None:
        """Every topic deleted and created again, empty: a test on a broker shared by the session sees
        only its own messages, and the consumer groups' offsets of the old topics go with them."""
        asyncio.run(_recreate_topics(self.bootstrap_servers))


# Which broker each test ran against, and why not Apache Kafka if not, for the summary at the end of the run.
BROKERS_USED: dict[str, int] = {}
BROKER_NOTES: list[str] = []


@contextmanager
def shared_kafka_backend(tmp_dir: Path) -> Iterator[KafkaBackend | None]:
    """A broker for the whole session, or None where each test gets a fresh mock broker (which starts in
    milliseconds)."""
    broker: Broker = start_broker(tmp_dir / "kafka", tmp_dir / "kafka.log")
    if broker.is_mock:
        broker.stop()
        if broker.fallback_reason:
            BROKER_NOTES.append(broker.fallback_reason)
        yield None
        return
    try:
        yield KafkaBackend(broker.bootstrap_servers, broker.kind, apache=broker.apache)
    finally:
        broker.stop()


@contextmanager
def kafka_with_empty_topics(session: KafkaBackend | None) -> Iterator[KafkaBackend]:
    """For a test (or a module or package of them): the session's broker with its topics emptied, else a
    fresh mock broker of its own."""
    if session is not None:
        session.reset_topics()
        BROKERS_USED[session.kind] = BROKERS_USED.get(session.kind, 0) + 1
        yield session
        return
    broker = EmbeddedKafka(all_topics())
    BROKERS_USED["mock"] = BROKERS_USED.get("mock", 0) + 1
    try:
        yield KafkaBackend(broker.bootstrap_servers, "mock", broker)
    finally:
        broker.stop()


async def _recreate_topics(bootstrap_servers: list[str]) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    names = {t.name for t in all_topics()}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        if present := names & set(await admin.list_topics()):
            await admin.delete_topics(sorted(present))
        # The deletion is done when the broker's metadata no longer has the names (until then a create
        # would find them "existing"); the creation, when it has them all again.
        await _until(lambda listed: not names & listed, admin, "the topics deleted")
        await create_topics(bootstrap_servers)
        await _until(lambda listed: names <= listed, admin, "the topics created")
    finally:
        await admin.close()


async def _until(condition: Callable[[set[str]], bool], admin, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition(set(await admin.list_topics())):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout}s")
        await asyncio.sleep(0.05)


class MailpitMailbox:
    """A Mailpit server through the part of the embedded `Mailbox`'s interface that the tests use
    (`host`, `smtp_port`, `messages`, `wait_for`, `clear`), reading Mailpit's HTTP API.

    Mailpit cannot be made to fail on cue: the tests that inject SMTP faults skip here."""

    NO_FAULTS = "SMTP faults are injected only into the embedded mailbox, not into Mailpit"

    def __init__(self, host: str, smtp_port: int, api_url: str, kind: str) -> None:
        self.host = host
        self.smtp_port = smtp_port
        self.kind = kind
        self._api = httpx.Client(base_url=api_url.rstrip("/"), timeout=10)
        self._received: dict[str, ReceivedMessage] = {}
        self._numbers = itertools.count(1)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._api.get("/api/v1/info").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Mailpit at {self._api.base_url} did not answer within {timeout}s")
            time.sleep(0.2)

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Every message in Mailpit, oldest first (numbered like the embedded mailbox's, from 1)."""
        listing = self._api.get("/api/v1/messages", params={"limit": 100_000}).json()["messages"]
        listing.sort(key=lambda summary: _timestamp(summary["Created"]))
        for summary in listing:
            if summary["ID"] not in self._received:
                self._received[summary["ID"]] = self._fetch(summary)
        return [self._received[summary["ID"]] for summary in listing]

    def _fetch(self, summary: dict) -> ReceivedMessage:
        detail = self._api.get(f"/api/v1/message/{summary['ID']}").json()
        raw = self._api.get(f"/api/v1/message/{summary['ID']}/raw").content
        # Mailpit lists the envelope recipients missing from To and Cc as Bcc.
        recipients = [person["Address"] for field in ("To", "Cc", "Bcc") for person in summary.get(field) or ()]
        return ReceivedMessage(
            id=next(self._numbers),
            received_at=_timestamp(summary["Created"]),
            mail_from=detail.get("ReturnPath") or summary["From"]["Address"],
            rcpt_tos=tuple(recipients),
            raw=raw,
        )

    async def wait_for(self, count: int, *, timeout: float = 10.0,
                       predicate: Callable[[ReceivedMessage], bool] | None = None) -> list[ReceivedMessage]:
        """Like `Mailbox.wait_for`: at least `count` messages (matching `predicate`), then all of those."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [m for m in await asyncio.to_thread(lambda: self.messages) if predicate is None or predicate(m)]
            if len(matching) >= count:
                return matching
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected {count} message(s) within {timeout} s, but {len(matching)} arrived")
            await asyncio.sleep(0.1)

    def clear(self) -> None:
        self._api.delete("/api/v1/messages")
        self._received.clear()

    def close(self) -> None:
        self._api.close()

    async def go_down(self) -> None:
        pytest.skip(self.NO_FAULTS)

    async def come_up(self) -> None:
        pytest.skip(self.NO_FAULTS)

    @property
    def reject_recipients(self) -> dict[str, tuple[int, str]]:
        pytest.skip(self.NO_FAULTS)

    @property
    def transient_failures(self) -> int:
        pytest.skip(self.NO_FAULTS)

    @transient_failures.setter
    def transient_failures(self, count: int) -> None:
        pytest.skip(self.NO_FAULTS)


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@contextmanager
def mailpit_backend() -> Iterator[MailpitMailbox | None]:
    """Mailpit for the session, or None where each test gets a fresh embedded mailbox."""
    if (host := os.environ.get("SMTP_HOST")) and (api_url := os.environ.get("MAILPIT_API_URL")):
        mailbox = MailpitMailbox(host, int(os.environ.get("SMTP_PORT", "1025")), api_url, "environment")
        try:
            yield mailbox
        finally:
            mailbox.close()
    elif docker_available():
        from testcontainers.core.container import DockerContainer

        # Mailpit keeps 500 messages by default; a test may look back further than that.
        with DockerContainer(MAILPIT_IMAGE).with_exposed_ports(1025, 8025).with_env(
                "MP_MAX_MESSAGES", "100000") as container:
            host = container.get_container_host_ip()
            mailbox = MailpitMailbox(host, int(container.get_exposed_port(1025)),
                                     f"http://{host}:{container.get_exposed_port(8025)}", "container")
            try:
                mailbox.wait_ready()
                yield mailbox
            finally:
                mailbox.close()
    else:
        yield None
