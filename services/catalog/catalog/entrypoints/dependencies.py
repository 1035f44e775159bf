"""What the routes need per request."""

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from treffpunkt_shared.auth import Access, staff


async def _connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    async with request.app.state.pool.acquire() as conn:
        yield conn


Connection = Annotated[asyncpg.Connection, Depends(_connection)]

STAFF_READ = Depends(staff(Access.read))
STAFF_WRITE = Depends(staff(Access.write))
