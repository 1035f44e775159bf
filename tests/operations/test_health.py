"""`/healthz` says the process is alive; `/readyz` that its database and broker answer and that it takes
work, and answers 503 naming what failed while the database is gone."""

import asyncpg

from treffpunkt_shared.db import database_dsn

from ..waiting import wait_until


async def test_healthz_and_readyz_of_a_running_service(start_service):
    for name in ("catalog", "registration", "notification"):
        service = await start_service(name)
        health = await service.client.get("/healthz")
        ready = await service.client.get("/readyz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"ready": True, "checks": {"database": "ok", "broker": "ok", "accepting": "ok"}}


async def test_readyz_is_503_while_the_database_is_gone_and_200_once_it_is_back(start_service):
    catalog = await start_service("catalog")
    database = catalog.settings.database
    admin = await asyncpg.connect(database_dsn(catalog.settings.database_url, "postgres"))
    try:
        # Gone for the service: no new connections, and the ones it has are cut.
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database)

        async def not_ready() -> bool:
            response = await catalog.client.get("/readyz")
            return response.status_code == 503

        await wait_until(not_ready, what="/readyz answering 503")
        body = (await catalog.client.get("/readyz")).json()
        assert body["ready"] is False
        assert body["checks"]["database"].startswith("failed: ")
        assert body["checks"]["broker"] == "ok"
        assert (await catalog.client.get("/healthz")).status_code == 200  # alive all the same: no restart
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await admin.close()

    async def ready() -> bool:
        return (await catalog.client.get("/readyz")).status_code == 200

    await wait_until(ready, what="/readyz answering 200 again")
