import itertools
from collections.abc import AsyncIterator

import asyncpg
import pytest

from treffpunkt_shared.db import create_pool, database_dsn, ensure_database
from treffpunkt_shared.messaging.schema import MESSAGING_TABLES_V1

_numbers = itertools.count(1)


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    """A fresh database with the messaging tables, and a pool on it."""
    name = f"plumbing_{next(_numbers)}"
    await ensure_database(postgres_url, name)
    dsn = database_dsn(postgres_url, name)
    pool = await create_pool(dsn, size=4)
    await pool.execute(MESSAGING_TABLES_V1)
    await pool.execute("CREATE TABLE effect (event_id uuid NOT NULL, note text NOT NULL)")
    yield dsn, pool
    await pool.close()
