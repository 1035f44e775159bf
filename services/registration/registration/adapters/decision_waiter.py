"""Lets an HTTP request wait a moment for the seat decision of its registration.

The decision may be handled by any replica's consumer; it NOTIFYs `registration_decided` with the
registration id when its transaction commits. Each process keeps one LISTEN connection and wakes
the requests waiting for that id.
"""

import asyncio
import logging
from collections import defaultdict
from contextlib import asynccontextmanager, suppress
from uuid import UUID

import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "registration_decided"


async def notify_decided(conn: asyncpg.Connection, registration_ids: list[str]) -> None:
    if registration_ids:
        await conn.execute("SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id", CHANNEL, registration_ids)


class DecisionWaiter:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._connection: asyncpg.Connection | None = None
        self._waiting: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def watch(self, registration_id: UUID):
        """Within this block, `await wait(event, seconds)` returns early when the decision commits.
        Enter it before the registration is committed, so no notification can slip past."""
        event = asyncio.Event()
        key = str(registration_id)
        await self._ensure_listening()
        self._waiting[key].add(event)
        try:
            yield event
        finally:
            self._waiting[key].discard(event)
            if not self._waiting[key]:
                del self._waiting[key]

    @staticmethod
    async def wait(event: asyncio.Event, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()

    async def _ensure_listening(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            return
        async with self._lock:
            if self._connection is not None and not self._connection.is_closed():
                return
            try:
                connection = await asyncpg.connect(self._dsn)
                await connection.add_listener(CHANNEL, self._on_notify)
            except (OSError, asyncpg.PostgresError) as exc:
                # Waiting is a courtesy: without it the answer says `pending`, which is still true.
                log.warning("cannot listen for seat decisions: %r", exc)
                return
            self._connection = connection

    def _on_notify(self, _connection, _pid, _channel, payload: str) -> None:
        for event in self._waiting.get(payload, ()):
            event.set()
