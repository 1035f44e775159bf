"""The services as real processes for the fault tests: started once for the package against the
session's PostgreSQL, a broker and an SMTP mailbox of this package, and stopped at its end."""

from collections.abc import AsyncIterator, Iterator

import pytest

from treffpunkt_devstack.mailbox import Mailbox

from ..backends import KafkaBackend, PostgresBackend, kafka_with_empty_topics
from ..notification.conftest import FAST
from ..processes import Backends, Deployment
from .invariants import MailIndex
from .rush import Api

SETTINGS = {
    # Short waits and a short coalescing window, so a test settles in seconds; a lease of a few seconds,
    # so an email a killed sender held is taken over soon.
    "notification": FAST | {"coalescing_window_seconds": 1, "notice_poll_seconds": 0.2, "retry_max_seconds": 0.5,
                            "delivery_lease_seconds": 5},
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
