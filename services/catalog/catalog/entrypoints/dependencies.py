"""What the routes need per request."""

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from treffpunkt_shared.auth import Access, staff
from treffpunkt_shared.db import DatabasePool

from ..settings import CatalogSettings


async def _connection(pool: DatabasePool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn:
        yield conn


async def _settings(request: Request) -> CatalogSettings:
    return request.app.state.runtime.settings


Connection = Annotated[asyncpg.Connection, Depends(_connection)]
Settings = Annotated[CatalogSettings, Depends(_settings)]

STAFF_READ = Depends(staff(Access.read))
STAFF_WRITE = Depends(staff(Access.write))
