"""What every service process runs: a database pool, the Kafka consumers, the outbox relay and the
HTTP app, started and stopped together.

Start: the pool, the outbox relay and a connection to the broker, then HTTP answers. The consumers
join their group in the background: after a crash that takes until the broker has given up on the
dead member (its session timeout) and rebalanced, seconds in which the HTTP API can already work;
the messages wait in Kafka meanwhile. So `/readyz` says whether the service takes HTTP requests
(database and broker reachable, not stopping), not whether its consumers have joined yet; the log
says when they have (`consuming after ...`).

Shutdown (SIGTERM through uvicorn, after the HTTP requests in hand are answered): readiness goes
false; the consumers stop taking messages and finish and commit the batch in hand; the background
work stops and the service's stop callbacks run (the notification service finishes the emails in
the works); the relay publishes what all of that committed; then the pool closes. Whatever could
not be published stays in the outbox for the next start or another replica.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from fastapi import Depends, FastAPI
from faststream.kafka import KafkaBroker
from opentelemetry.trace import Tracer, TracerProvider

from .api_docs import api_docs_router
from .contracts.messages import message_schema
from .db import create_pool, database_dsn
from .http import (
    Readiness,
    correlate_request,
    document_common_answers,
    install_error_handlers,
    instrument,
    operations_router,
    trace_requests,
)
from .messaging.broker import create_broker, producer_factory
from .messaging.consumer import (
    HandlerTable,
    InboxConsumer,
    dead_letter_publisher,
    dead_letter_topic,
    subscribe,
    topics_of,
)
from .messaging.outbox import OutboxRelay, backlog
from .messaging.replay import republish_what_the_broker_lost
from .metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from .request_bodies import RequestBodies
from .security_headers import SecurityHeaders
from .settings import ServiceSettings
from .tracing import TRACER_NAME, create_tracer_provider

log = logging.getLogger(__name__)

# How long stopping waits for the relay's last round, for leaving a consumer group mid-join, and then for the
# database connections to be handed back.
RELAY_STOP_SECONDS = 5.0
JOINING_STOP_SECONDS = 3.0
POOL_CLOSE_SECONDS = 3.0
# How long the start may spend finding out whether the broker lost what was published (messaging/replay.py).
REPLAY_CHECK_SECONDS = 10.0
# Pause before starting the consumers again after a failed start (the broker away, say).
CONSUMER_RESTART_SECONDS = 2.0


@dataclass
class Runtime:
    settings: ServiceSettings
    broker: KafkaBroker
    tracer_provider: TracerProvider | None = None  # None: tracing is off
    owns_tracer_provider: bool = False  # made from the settings, so shut down (flushed) with the service
    readiness: Readiness = field(default_factory=Readiness)
    handlers: HandlerTable = field(default_factory=dict)
    handler_dependencies: Any = None
    consumer: InboxConsumer | None = None
    _pool: asyncpg.Pool | None = None
    _relay: OutboxRelay | None = None
    _relay_task: asyncio.Task | None = None
    _consumers_task: asyncio.Task | None = None
    _background: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _tasks: list[asyncio.Task] = field(default_factory=list)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the service has not started")
        return self._pool

    @property
    def consuming(self) -> bool:
        """Whether the consumers have joined their group (see the module's docstring)."""
        task = self._consumers_task
        return task is not None and task.done() and not task.cancelled()

    @property
    def dsn(self) -> str:
        return database_dsn(self.settings.database_url, self.settings.database)

    @property
    def tracer(self) -> Tracer | None:
        return self.tracer_provider.get_tracer(TRACER_NAME) if self.tracer_provider is not None else None

    def consume(self, handlers: HandlerTable, dependencies: Any = None) -> None:
        """Handle the messages of the table's types with its handlers (batches, inbox, dead letters), each
        called with `dependencies`."""
        if self.consumer is not None:
            raise RuntimeError("the handlers are given before the service starts")
        self.handlers = handlers
        self.handler_dependencies = dependencies

    def document_published_topic(self, topic: str, description: str) -> None:
        """Describe what the service publishes on `topic` (through its outbox), for its AsyncAPI document;
        publishing itself is the outbox relay's."""
        self.broker.publisher(topic, schema=message_schema(topic), title=topic, description=description)

    def subscribe(self) -> None:
        """Register the consumer of the handler table's topics with the broker (done at start at the latest)."""
        if self.consumer is not None or not self.handlers:
            return
        self.consumer = InboxConsumer(
            name=self.settings.service_name,
            pool=lambda: self.pool,
            handlers=self.handlers,
            publish_dead_letter=dead_letter_publisher(self.broker, self.settings.service_name),
            dependencies=self.handler_dependencies,
            tracer=self.tracer,
        )
        subscribe(self.broker, self.consumer, fetch_max_wait_ms=self.settings.kafka_fetch_max_wait_ms)
        for topic in topics_of(self.handlers):
            self.broker.publisher(
                dead_letter_topic(topic), schema=message_schema(topic), title=dead_letter_topic(topic),
                description=f"Messages of `{topic}` that {self.settings.service_name} could not handle, as they were "
                "received, with the headers `dlq-error`, `dlq-consumer` and `dlq-source` (topic, partition, offset).",
            )

    def run_in_background(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work()` as a task while the service runs (cancelled at stop)."""
        self._background.append(work)

    def on_stop(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Call `callback()` when the service stops, before the pool closes."""
        self._on_stop.append(callback)

    async def start(self) -> None:
        self._pool = await create_pool(self.dsn, size=self.settings.database_pool_size)
        await self._republish_if_lost()
        self._relay = OutboxRelay(self.pool, self.dsn, producer_factory(self.settings),
                                  linger=self.settings.outbox_linger_ms / 1000)
        self._relay_task = asyncio.create_task(self._relay.run(), name="outbox-relay")
        self._tasks += [asyncio.create_task(work()) for work in self._background]
        self.subscribe()
        # Fails the start, as before, when the broker cannot be reached at all.
        await self.broker.connect()
        self._consumers_task = asyncio.create_task(self._start_consumers(), name="kafka-consumers")
        self.readiness.checks["database"] = self._check_database
        self.readiness.checks["broker"] = self._check_broker
        self.readiness.accepting = True

    async def _republish_if_lost(self) -> None:
        try:
            await asyncio.wait_for(republish_what_the_broker_lost(self.pool, self.settings.kafka_bootstrap_servers),
                                   REPLAY_CHECK_SECONDS)
        except Exception as exc:  # the broker away, say: the start goes on (and fails there if it must)
            log.warning("could not check whether the broker lost published messages (%s: %s)",
                        type(exc).__name__, exc)

    async def _start_consumers(self) -> None:
        """Start the broker's subscribers, which returns once they have joined their group; again after a
        pause should that fail (what a running consumer would do: aiokafka retries while the broker is away)."""
        started = time.monotonic()
        while True:
            try:
                await self.broker.start()
            except Exception as exc:
                log.warning("the Kafka consumers did not start (%s: %s); trying again in %.0fs",
                            type(exc).__name__, exc, CONSUMER_RESTART_SECONDS)
                with suppress(Exception):
                    await self.broker.stop()  # the half-started consumers, before new ones replace them
                await asyncio.sleep(CONSUMER_RESTART_SECONDS)
            else:
                log.info("consuming after %.1fs (joined the consumer group)", time.monotonic() - started)
                return

    async def stop(self) -> None:
        started = time.monotonic()
        self.readiness.accepting = False
        joining = self._consumers_task is not None and not self._consumers_task.done()
        if self._consumers_task is not None:
            # Still joining: nothing consumed yet, so nothing to finish; stopping the broker leaves the group.
            self._consumers_task.cancel()
            await asyncio.gather(self._consumers_task, return_exceptions=True)
        try:
            # Consuming: waits for the batch in hand (the broker's graceful timeout). Still joining: nothing in
            # hand, and leaving a group in the middle of a rebalance can wait for the rebalance (as long as a
            # crashed member's session), so a moment only; the broker forgets us anyway.
            await asyncio.wait_for(self.broker.stop(), JOINING_STOP_SECONDS if joining else None)
        except Exception as exc:
            log.warning("the Kafka consumers stopped without leaving their group cleanly (%s)", type(exc).__name__)
            with suppress(Exception):
                await self.broker.config.disconnect()  # the producer, which stop() closes after the consumers
        consumers_stopped = time.monotonic()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for callback in self._on_stop:
            with suppress(Exception):
                await callback()
        work_stopped = time.monotonic()
        await self._stop_relay()
        if self.owns_tracer_provider and self.tracer_provider is not None:
            with suppress(Exception):
                self.tracer_provider.shutdown()  # exports the spans still buffered
        if self._pool is not None:
            try:
                await asyncio.wait_for(self._pool.close(), POOL_CLOSE_SECONDS)
            except TimeoutError:
                log.warning("database connections still in use after %.0fs: closed forcibly", POOL_CLOSE_SECONDS)
                self._pool.terminate()
        log.info("stopped in %.1fs (consumers %.1fs, background work %.1fs, outbox relay and the rest %.1fs)",
                 time.monotonic() - started, consumers_stopped - started, work_stopped - consumers_stopped,
                 time.monotonic() - work_stopped)

    async def _stop_relay(self) -> None:
        if self._relay is None or self._relay_task is None:
            return
        self._relay.stop()
        try:
            await asyncio.wait_for(asyncio.shield(self._relay_task), RELAY_STOP_SECONDS)
        except TimeoutError:
            log.warning("outbox relay did not finish within %.0fs; the rest is published at the next start",
                        RELAY_STOP_SECONDS)
            self._relay_task.cancel()
            await asyncio.gather(self._relay_task, return_exceptions=True)
        except Exception as exc:
            log.warning("outbox relay stopped with %s", type(exc).__name__)

    async def measure(self) -> None:
        """The outbox gauges, measured when /metrics is scraped; left as they were while the database is away."""
        if self._pool is None:
            return
        try:
            async with self.pool.acquire(timeout=1) as conn:
                current = await asyncio.wait_for(backlog(conn), 1)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return
        OUTBOX_BACKLOG.set(current.messages)
        OUTBOX_OLDEST_AGE.set(current.oldest_age_seconds)

    async def _check_database(self) -> None:
        async with self.pool.acquire(timeout=1) as conn:
            await conn.fetchval("SELECT 1")

    async def _check_broker(self) -> None:
        if not await self.broker.ping(timeout=1):
            raise ConnectionError("broker not reachable")


def create_runtime(settings: ServiceSettings, *, tracer_provider: TracerProvider | None = None) -> Runtime:
    """`tracer_provider`: where spans go (tests pass one that keeps them); by default an OTLP exporter
    when `otel_exporter_otlp_endpoint` is set, else none: tracing off."""
    settings.check_can_serve()
    if settings.kafka_mock_broker:
        from .messaging import mock_broker_workarounds

        mock_broker_workarounds.apply()
    provider = tracer_provider or create_tracer_provider(settings)
    return Runtime(settings=settings, broker=create_broker(settings), tracer_provider=provider,
                   owns_tracer_provider=tracer_provider is None and provider is not None)


def create_app(runtime: Runtime, *, title: str, description: str, configure: Callable[[FastAPI], None],
               embed_origins: list[str] | None = None) -> FastAPI:
    """`embed_origins`: the websites that may show the service's pages in a frame (none by default)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        app.state.pool = runtime.pool
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, lifespan=lifespan, dependencies=[Depends(correlate_request)],
                  docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None)
    app.state.runtime = runtime
    app.add_middleware(RequestBodies, max_bytes=runtime.settings.http_max_body_bytes,
                       read_timeout=runtime.settings.http_body_timeout_seconds)
    app.add_middleware(SecurityHeaders, embed_origins=embed_origins or [])  # on the refusals of the limits too
    instrument(app)  # outside the limits, so that their refusals are counted
    install_error_handlers(app)
    document_common_answers(app)
    app.include_router(operations_router(runtime.readiness, runtime.measure))
    app.include_router(api_docs_router(title))
    configure(app)
    if runtime.tracer_provider is not None:
        trace_requests(app, runtime.tracer_provider)
    return app
