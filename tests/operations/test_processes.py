"""The services as processes, as they run in a deployment (`python -m <service> serve`, settings in the
environment): what they write to stdout, and how they stop on SIGTERM.

- Logs (at DEBUG, the most they say): every line is JSON; no line holds a participant's or a contact
  person's name or email address; every line about a registration carries its id as the
  correlation id, in each of the three services.
- SIGTERM while registrations stream through the catalog: it finishes and commits the batch in hand,
  publishes what it committed, and exits 0; once it is back, every registration is decided exactly
  once: nothing lost, nothing repeated.
"""

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from treffpunkt_devstack.mailbox import Mailbox
from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.contracts.seats import SEAT_TOPIC

from ..backends import KafkaBackend, MailpitMailbox, PostgresBackend, kafka_with_empty_topics
from ..faults.rush import RUSH_RATE_LIMITS
from ..processes import SERVICES, Backends, Deployment
from ..saga.scenario import Saga
from ..waiting import wait_until

PERSON = {"first_name": "Wiebke", "last_name": "Quandtmeyer", "email": "wiebke.quandtmeyer@beispiel-gmbh.example",
          "phone": "+49 30 5550 1234"}
CONTACT = ("Mara Beispiel", "mara.beispiel@hwk.example.org")  # the sessions' contact person (see Saga.create_event)
GRACE_SECONDS = 30  # Kubernetes' default terminationGracePeriodSeconds


@pytest.fixture(scope="module")
def processes_kafka(_session_kafka: KafkaBackend | None) -> Iterator[KafkaBackend]:
    with kafka_with_empty_topics(_session_kafka) as backend:
        yield backend


@pytest.fixture(scope="module")
async def processes_mailbox(_session_mailpit: MailpitMailbox | None) -> AsyncIterator[Mailbox | MailpitMailbox]:
    if _session_mailpit is not None:
        _session_mailpit.clear()
        yield _session_mailpit
        return
    async with Mailbox(web_port=None) as box:
        yield box


@pytest.fixture(scope="module")
async def deployment(postgres: PostgresBackend, processes_kafka: KafkaBackend, processes_mailbox,
                     tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    backends = Backends(postgres.url, processes_kafka.bootstrap_servers, mock_broker=processes_kafka.embedded is not None,
                        smtp_port=processes_mailbox.smtp_port)
    settings = {service: {"log_level": "DEBUG"} for service in SERVICES}
    settings["registration"] |= RUSH_RATE_LIMITS
    settings["notification"] |= {"smtp_host": processes_mailbox.host, "sender_poll_seconds": 0.1,
                                 "coalescing_window_seconds": 1, "notice_poll_seconds": 0.2}
    async with Deployment(backends, tmp_path_factory.mktemp("service-logs"), settings=settings) as running:
        await running.prepare()
        await running.start_all()
        yield running


@dataclass
class Remote:
    """A service process, seen through what `Saga` uses of a service: its HTTP client and its database."""

    client: httpx.AsyncClient
    deployment: Deployment
    service: str

    async def fetch(self, query: str, *args):
        return await self.deployment.fetch(self.service, query, *args)


@pytest.fixture
async def saga(deployment: Deployment) -> AsyncIterator[Saga]:
    async with (httpx.AsyncClient(base_url=deployment.url("catalog"), timeout=10) as catalog,
                httpx.AsyncClient(base_url=deployment.url("registration"), timeout=10) as registration):
        yield Saga(Remote(catalog, deployment, "catalog"), Remote(registration, deployment, "registration"),
                   deployment.staff_headers("catalog"), deployment.staff_headers("registration"))


async def test_json_logs_without_personal_data_and_with_the_registrations_id(deployment, saga, processes_mailbox):
    event = await saga.create_event([(5, 0)])
    response = await saga.register(event, event["sessions"][0], wait=5, **PERSON)
    registration = response.json()
    assert registration["status"] == "confirmed", response.text
    await processes_mailbox.wait_for(1, timeout=20, predicate=lambda m: CONTACT[1] in m.rcpt_tos)
    assert (await saga.registration.client.get(registration["links"]["status"])).status_code == 200
    cancelled = await saga.registration.client.post(registration["links"]["cancel"])
    assert cancelled.json()["status"] == "cancelled"
    await processes_mailbox.wait_for(2, timeout=20, predicate=lambda m: PERSON["email"] in m.rcpt_tos)
    await asyncio.sleep(0.5)  # the last lines about it (the cancellation's delivery event) written

    for service in SERVICES:
        lines = _output(deployment.replicas(service)[0].log_path)
        leaked = [value for value in (*PERSON.values(), *CONTACT) if any(value in line for line in lines)]
        assert not leaked, f"{service} logged personal data: {leaked}"
        entries = [json.loads(line) for line in lines]  # every line is JSON
        assert all({"time", "level", "logger", "message", "service", "correlation_id"} <= e.keys() for e in entries)
        assert {e["service"] for e in entries} == {service}
        assert any(e["correlation_id"] == registration["id"] for e in entries), f"{service}: no line carries it"
        mentioning = [e for e in entries if registration["id"] in json.dumps(e)]
        assert all(e["correlation_id"] == registration["id"] for e in mentioning), service


async def test_sigterm_finishes_the_messages_in_flight_and_loses_or_repeats_none(deployment, saga, processes_kafka):
    event = await saga.create_event([(80, 40)])
    session = event["sessions"][0]
    catalog = deployment.replicas("catalog")[0]
    registering = asyncio.create_task(_register_steadily(saga, event, session, count=200, per_second=100))

    async def deciding() -> bool:
        decided = await deployment.fetch(
            "catalog", "SELECT count(*) AS n FROM outbox_message WHERE body->'payload'->>'session_id' = $1",
            session["id"])
        return decided[0]["n"] >= 50

    await wait_until(deciding, what="the catalog deciding")
    stopping = time.monotonic()
    await catalog.stop(timeout=GRACE_SECONDS)
    assert time.monotonic() - stopping < GRACE_SECONDS
    assert catalog._process.returncode == 0  # ServiceProcess keeps the exit status to itself
    unpublished = await deployment.fetch("catalog", "SELECT count(*) AS n FROM outbox_message WHERE published_at IS NULL")
    assert unpublished[0]["n"] == 0  # what it committed while stopping went out before it exited

    await catalog.restart()
    registrations = await registering
    ids = [r["id"] for r in registrations]
    await saga.wait_final(registrations, timeout=60)
    statuses = await deployment.fetch("registration", "SELECT status, count(*) AS n FROM registration "
                                      "WHERE id = ANY($1::uuid[]) GROUP BY status", ids)
    assert {row["status"]: row["n"] for row in statuses} == {"confirmed": 80, "waitlisted": 40, "rejected": 80}

    decisions = await _decisions(processes_kafka, set(ids))
    assert len({d.event_id for d in decisions}) == len(decisions)  # no decision published twice
    assert Counter(d.payload["registration_id"] for d in decisions) == Counter({id_: 1 for id_ in ids})
    assert Counter(d.event_type for d in decisions) == {"SeatAllocated": 80, "SeatWaitlisted": 40, "SeatRejected": 80}


async def _register_steadily(saga: Saga, event: dict, session: dict, *, count: int, per_second: float) -> list[dict]:
    async def one() -> dict:
        response = await saga.register(event, session)
        assert response.status_code == 202, response.text
        return response.json()

    tasks = []
    for _ in range(count):
        tasks.append(asyncio.create_task(one()))
        await asyncio.sleep(1 / per_second)
    return list(await asyncio.gather(*tasks))


async def _decisions(kafka: KafkaBackend, registration_ids: set[str]) -> list[Envelope]:
    """The seat decisions about these registrations on the topic, read from its beginning until one has
    come for each and a moment more has brought no other."""
    consumer = AIOKafkaConsumer(SEAT_TOPIC, bootstrap_servers=kafka.bootstrap_servers, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_wait_ms=kafka.fetch_max_wait_ms)
    await consumer.start()
    found: list[Envelope] = []
    try:
        async with asyncio.timeout(30):
            quiet_since = None
            while quiet_since is None or time.monotonic() - quiet_since < 1:
                batch = await consumer.getmany(timeout_ms=200)
                envelopes = [Envelope.model_validate_json(r.value) for rs in batch.values() for r in rs]
                found += [e for e in envelopes if e.payload["registration_id"] in registration_ids]
                if not batch and {e.payload["registration_id"] for e in found} >= registration_ids:
                    quiet_since = quiet_since or time.monotonic()
                elif batch:
                    quiet_since = None
    finally:
        await consumer.stop()
    return found


def _output(log: Path) -> list[str]:
    """What the process wrote (the runner adds a line before each start)."""
    return [line for line in log.read_text().splitlines() if line and not line.startswith("--- start ")]
