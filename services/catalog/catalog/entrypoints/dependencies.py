"""What the routes need per request."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.messaging.commit_hooks import run_after_commit

from ..settings import CatalogSettings


async def _connection(pool: DatabasePool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn:
        yield conn


async def _settings(request: Request) -> CatalogSettings:
    return request.app.state.runtime.settings


Connection = Annotated[asyncpg.Connection, Depends(_connection)]
Settings = Annotated[CatalogSettings, Depends(_settings)]


@asynccontextmanager
async def changing(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """One transaction around a handler's (its own nests in it) and the audit entry of what it did: the entry
    is stored exactly when the change is."""
    with run_after_commit():
        async with conn.transaction():
            yield
