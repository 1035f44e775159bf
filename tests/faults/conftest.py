"""The services as real processes for the fault tests: started once for the package against the
session's PostgreSQL, a broker and an SMTP mailbox of this package, and stopped at its end."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from treffpunkt_devstack.mailbox import Mailbox

from ..backends import KafkaBackend, PostgresBackend, kafka_with_empty_topics
from ..notification.conftest import FAST
from ..processes import Backends, Deployment
from .invariants import MailIndex
from .rush import RUSH_RATE_LIMITS, Api, create_event

SETTINGS = {
    # Short waits and a short coalescing window, so a test settles in seconds; a lease of a few seconds,
    # so an email a killed sender held is taken over soon.
    "notification": FAST | {"coalescing_window_seconds": 1, "notice_poll_seconds": 0.2, "retry_max_seconds": 0.5,
                            "delivery_lease_seconds": 5},
    "registration": RUSH_RATE_LIMITS,
}


@pytest.fixture(scope="package")
def fault_kafka(_session_kafka: KafkaBackend | None) -> Iterator[KafkaBackend]:
    """The session's broker where one is given; else an embedded one that the tests can take down."""
    with kafka_with_empty_topics(_session_kafka) as backend:
        yield backend


@pytest.fixture(scope="package")
async def fault_mailbox() -> AsyncIterator[Mailbox]:
    async with Mailbox(web_port=None) as box:
        yield box


@pytest.fixture(scope="package")
async def deployment(postgres: PostgresBackend, fault_kafka: KafkaBackend, fault_mailbox: Mailbox,
                     tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    backends = Backends(postgres.url, fault_kafka.bootstrap_servers, mock_broker=fault_kafka.embedded is not None,
                        smtp_port=fault_mailbox.smtp_port)
    log_dir = tmp_path_factory.mktemp("service-logs")
    async with Deployment(backends, log_dir, settings=SETTINGS) as running:
        await running.prepare()
        await running.start_all()
        print(f"\nservice logs: {log_dir}")
        yield running


@pytest.fixture(scope="package")
def api(deployment: Deployment) -> Api:
    """The first replica of each service: the one every test leaves running (a restart keeps its port)."""
    return Api(deployment.url("catalog"), deployment.url("registration"), deployment.url("notification"),
               deployment.tokens)


@pytest.fixture
def mail(fault_mailbox: Mailbox) -> MailIndex:
    return MailIndex(fault_mailbox)


@pytest.fixture(scope="module")
async def known_ids(api: Api) -> dict[str, str]:
    """The ids of an event with a session, its contact person and organisation, and registrations: one
    confirmed, one waitlisted, one refused; and one more attempted with a control character in a field (a
    vertical tab, as text pasted from a word processor brings along), which the service may take or refuse."""
    event = await create_event(api, sessions=[(1, 1)], tag="fuzz")
    session = event.sessions[0]
    contact = session["contact_persons"][0]
    async with httpx.AsyncClient(base_url=api.registration, timeout=30) as client:
        async def register(n: int, organisation: str) -> httpx.Response:
            return await client.post("/api/registrations?wait=5", json={
                "event_id": event.id, "session_id": session["id"], "first_name": "Fritz", "last_name": f"Fuzz {n}",
                "email": f"fuzz{n}@example.org", "organisation": organisation, "consent": True})

        registrations = [await register(n, "Fuzz GmbH") for n in (1, 2, 3)]
        pasted = await register(4, "Fuzz\vMedia GmbH")
    assert all(r.status_code in (201, 202) for r in registrations), [r.text for r in registrations]
    assert pasted.status_code in (201, 202, 422), pasted.text
    return {"event_id": event.id, "session_id": session["id"], "contact_person_id": contact["id"],
            "organisation_id": contact["organisation_id"], "registration_id": registrations[0].json()["id"]}
