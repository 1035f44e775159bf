"""What the routes need per request."""

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends

from treffpunkt_shared.auth import Access, staff
from treffpunkt_shared.db import DatabasePool


async def _connection(pool: DatabasePool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn:
        yield conn


Connection = Annotated[asyncpg.Connection, Depends(_connection)]

STAFF_READ = Depends(staff(Access.read))
STAFF_WRITE = Depends(staff(Access.write))
