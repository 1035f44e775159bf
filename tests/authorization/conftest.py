"""The matrix's services, world and principals: built once for the module (a world takes seconds to build,
the matrix has hundreds of cells), on the session's PostgreSQL and a broker and SMTP mailbox of this module."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from treffpunkt_devstack.mailbox import Mailbox

from ..backends import KafkaBackend, kafka_with_empty_topics
from ..notification.conftest import FAST
from ..services import RunningService, free_port, start_service
from ..staff_tokens import StaffIssuer
from . import principals as p
from .rules import MATRIX_SERVICES
from .staff_sessions import first_admin
from .world import STAFF, World


@pytest.fixture(scope="module")
def matrix_kafka(_session_kafka: KafkaBackend | None) -> Iterator[KafkaBackend]:
    # Not async: emptying the session broker's topics runs an event loop of its own.
    with kafka_with_empty_topics(_session_kafka) as backend:
        yield backend


@pytest.fixture(scope="module")
async def matrix_mailbox() -> AsyncIterator[Mailbox]:
    async with Mailbox(web_port=None) as mailbox:
        yield mailbox


def _staff_settings(mailbox: Mailbox) -> dict[str, Any]:
    """Its issuer an http://localhost address as in `make dev` (so that its cookie is not `Secure` and the tests'
    HTTP clients send it back); sessions that outlast the run (the staff cells come last, after minutes)."""
    port = free_port()
    return {"http_port": port, "issuer": f"http://localhost:{port}", "session_idle_minutes": 600,
            "smtp_host": mailbox.host, "smtp_port": mailbox.smtp_port}


@pytest.fixture(scope="module")
async def services(postgres_url: str, matrix_kafka: KafkaBackend, matrix_mailbox: Mailbox,
                   staff_issuer: StaffIssuer) -> AsyncIterator[dict[str, RunningService]]:
    """Catalog, registration, notification and staff, on a broker with empty topics (the session's, else a mock
    broker of the module's) and an SMTP mailbox of the module's, trusting the test issuer's keys."""
    running: dict[str, RunningService] = {}
    settings: dict[str, dict[str, Any]] = {
        "notification": FAST | {"smtp_host": matrix_mailbox.host, "smtp_port": matrix_mailbox.smtp_port},
        STAFF: _staff_settings(matrix_mailbox),
        # The world and the destructive cells' fresh registrations all come from this one address: more than
        # the 60 an hour a town hall gets (the matrix is about who may, not about rate limits).
        "registration": {"rate_limit_per_client": 1000}}
    try:
        for name in MATRIX_SERVICES:
            running[name] = await start_service(
                name, postgres_url=postgres_url, kafka_servers=matrix_kafka.bootstrap_servers,
                fetch_max_wait_ms=matrix_kafka.fetch_max_wait_ms, mock_broker=matrix_kafka.embedded is not None,
                staff_issuer=staff_issuer, **settings.get(name, {}))
        yield running
    finally:
        for service in reversed(running.values()):
            await service.stop()


@pytest.fixture(scope="module")
async def world(services: dict[str, RunningService], matrix_mailbox: Mailbox) -> World:
    """Built with a machine token of scope all of its own (at the staff service: an admin that `create-admin`
    made), so that no principal's cells depend on it."""
    builder = {name: await service.token_headers(name="matrix-builder") for name, service in services.items()
               if name != STAFF}
    staff_admin = await first_admin(services[STAFF])
    built = World(services, builder | {STAFF: staff_admin.headers()}, mailbox=matrix_mailbox, staff_admin=staff_admin)
    await built.build()
    return built


@pytest.fixture(scope="module")
async def principals(services: dict[str, RunningService], world: World, staff_issuer: StaffIssuer) -> dict[str, p.Principal]:
    return await p.make_principals(services, world, staff_issuer)


@pytest.fixture(scope="module")
def live_routes(services: dict[str, RunningService]) -> set[tuple[str, str, str]]:
    from .test_matrix import staff_routes

    return {(name, method, path) for name, service in services.items() for method, path in staff_routes(service.app.openapi())}


_MATRIX_NODE = "tests/authorization/test_matrix.py::test_cell"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The size of the matrix (routes x principals, in cells) and how many of the cells run held, for the
    integrator's closing note."""
    ran: dict[str, str] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "nodeid", "").startswith(_MATRIX_NODE):
                ran[report.nodeid] = outcome if ran.get(report.nodeid, "passed") == "passed" else ran[report.nodeid]
    if not ran:
        return
    from .test_matrix import matrix_size

    routes, principals, cells = matrix_size()
    held = sum(outcome == "passed" for outcome in ran.values())
    terminalreporter.write_line(
        f"authorization matrix: {routes} staff routes x {principals} principals; {cells} cells with the routes' cases "
        f"and unknown ids; of {len(ran)} run, {held} held, {len(ran) - held} did not")
