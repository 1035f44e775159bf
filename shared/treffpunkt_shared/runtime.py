"""What every service process runs: a database pool, the Kafka consumers, the outbox relay and the
HTTP app, started and stopped together.

Shutdown (SIGTERM through uvicorn): readiness goes false, the consumers stop taking messages and
finish the batch in hand, the relay stops (unpublished rows stay in the outbox for the next
start or another replica), then the pool closes.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from .db import create_pool, database_dsn
from .http import Readiness, install_error_handlers, instrument, operations_router
from .messaging.broker import create_broker, producer_factory
from .messaging.consumer import BatchHandler, InboxConsumer, dead_letter_publisher, subscribe
from .messaging.outbox import OutboxRelay
from .metrics import MESSAGES_PUBLISHED
from .settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: ServiceSettings
    broker: KafkaBroker
    readiness: Readiness = field(default_factory=Readiness)
    handlers: dict[str, BatchHandler] = field(default_factory=dict)
    consumer: InboxConsumer | None = None
    _pool: asyncpg.Pool | None = None
    _background: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _tasks: list[asyncio.Task] = field(default_factory=list)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the service has not started")
        return self._pool

    @property
    def dsn(self) -> str:
        return database_dsn(self.settings.database_url, self.settings.database)

    def consume(self, topic: str, handler: BatchHandler) -> None:
        """Handle `topic`'s messages with `handler` (batches, inbox, dead letters)."""
        if self.consumer is not None:
            raise RuntimeError("topics are subscribed before the service starts")
        self.handlers[topic] = handler

    def _subscribe(self) -> None:
        self.consumer = InboxConsumer(
            name=self.settings.service_name,
            pool=lambda: self.pool,
            handlers=self.handlers,
            publish_dead_letter=dead_letter_publisher(self.broker, self.settings.service_name),
        )
        subscribe(self.broker, self.consumer, fetch_max_wait_ms=self.settings.kafka_fetch_max_wait_ms)

    def run_in_background(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work()` as a task while the service runs (cancelled at stop)."""
        self._background.append(work)

    def on_stop(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Call `callback()` when the service stops, before the pool closes."""
        self._on_stop.append(callback)

    async def start(self) -> None:
        self._pool = await create_pool(self.dsn, size=self.settings.database_pool_size)
        relay = OutboxRelay(
            self.pool, self.dsn, producer_factory(self.settings),
            on_published=lambda rows: [MESSAGES_PUBLISHED.labels(r["topic"]).inc() for r in rows],
        )
        self._tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))
        self._tasks += [asyncio.create_task(work()) for work in self._background]
        if self.handlers and self.consumer is None:
            self._subscribe()
        await self.broker.start()
        self.readiness.checks["database"] = self._check_database
        self.readiness.checks["broker"] = self._check_broker
        self.readiness.accepting = True

    async def stop(self) -> None:
        self.readiness.accepting = False
        with suppress(Exception):
            await self.broker.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for callback in self._on_stop:
            with suppress(Exception):
                await callback()
        if self._pool is not None:
            await self._pool.close()

    async def _check_database(self) -> None:
        async with self.pool.acquire(timeout=1) as conn:
            await conn.fetchval("SELECT 1")

    async def _check_broker(self) -> None:
        if not await self.broker.ping(timeout=1):
            raise ConnectionError("broker not reachable")


def create_runtime(settings: ServiceSettings) -> Runtime:
    if settings.kafka_mock_broker:
        from .embedded import mock_broker_workarounds

        mock_broker_workarounds.apply()
    return Runtime(settings=settings, broker=create_broker(settings))


def create_app(runtime: Runtime, *, title: str, description: str, configure: Callable[[FastAPI], None]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        app.state.pool = runtime.pool
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, lifespan=lifespan)
    app.state.runtime = runtime
    instrument(app)
    install_error_handlers(app)
    app.include_router(operations_router(runtime.readiness))
    configure(app)
    return app
