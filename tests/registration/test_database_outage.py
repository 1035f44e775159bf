"""While PostgreSQL is away, requests are answered 503 with `Retry-After` and a clear error, never 500:
the website may try again, and once the database is back the same request (same Idempotency-Key) is
accepted once."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from treffpunkt_shared.db import DatabaseUnavailable, create_pool, database_dsn

from ..services import RunningService, free_port
from ..waiting import wait_until


@asynccontextmanager
async def database_away(service: RunningService) -> AsyncIterator[None]:
    """Within the block the service's database is away for it: no new connections, and the ones it
    had are cut (gone, not just told to go, before the block starts)."""
    database = service.settings.database
    admin = await asyncpg.connect(database_dsn(service.settings.database_url, "postgres"))
    try:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database)

        async def connections_gone() -> bool:
            return not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", database)

        await wait_until(connections_gone, what=f"the connections to {database} terminated")
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await admin.close()


async def test_a_registration_is_503_while_the_database_is_away_and_accepted_once_it_is_back(saga):
    registration = saga.registration
    event = await saga.create_event([(5, 0)])
    earlier = (await saga.register(event, event["sessions"][0], wait=5)).json()
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]} | saga.person()
    headers = {"Idempotency-Key": "outage-7f3a"}
    async with database_away(registration):
        posted = await registration.client.post("/api/registrations", json=body, headers=headers)
        status = await registration.client.get(earlier["links"]["status"])

    for answer in (posted, status):
        assert answer.status_code == 503, answer.text
        assert int(answer.headers["Retry-After"]) > 0
        assert answer.json() == {"detail": "The service cannot reach its database at the moment. "
                                           "Please try again in a few seconds."}
    again = await registration.client.post("/api/registrations", json=body, headers=headers)
    repeated = await registration.client.post("/api/registrations", json=body, headers=headers)
    assert again.status_code in (201, 202), again.text
    assert repeated.json()["id"] == again.json()["id"]
    stored = await registration.fetch("SELECT count(*) AS n FROM registration WHERE last_name = $1", body["last_name"])
    assert stored[0]["n"] == 1


async def test_a_refused_connection_means_the_database_is_unavailable():
    nothing_listens = f"postgresql://postgres@127.0.0.1:{free_port()}/registration"
    with pytest.raises(DatabaseUnavailable) as refused:
        await create_pool(nothing_listens)
    assert isinstance(refused.value.__cause__, OSError)
    assert isinstance(refused.value, ConnectionError)  # what the consumers and the relay already retry on
