"""Wires the staff service: accounts and sign-in, the admin API, access tokens for the other services
and their keys, the sign-in pages and the staff app's pages."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from opentelemetry.trace import TracerProvider

from treffpunkt_shared.clock import Clock, SystemClock
from treffpunkt_shared.contracts.staff import STAFF_TOKEN_TOPIC
from treffpunkt_shared.rate_limits import purge_expired
from treffpunkt_shared.runtime import create_app as create_service_app
from treffpunkt_shared.runtime import create_runtime

from .adapters import sessions
from .entrypoints import (
    admin_api,
    consumers,
    invitations_api,
    oidc,
    pages,
    password_pages,
    second_factor_api,
    second_factor_pages,
    tokens,
)
from .entrypoints.app.routers import ROUTERS as APP_ROUTERS
from .entrypoints.app_page import EXCEPTION_HANDLERS
from .entrypoints.dependencies import timeouts
from .service_layer.access_tokens import rotate_when_due
from .service_layer.oidc_sign_in import create_client as create_oidc_client
from .settings import StaffSettings

log = logging.getLogger(__name__)

PURGE_SESSIONS_EVERY_SECONDS = 300.0
KEY_CHECK_EVERY_SECONDS = 3600.0


def _purge_sessions(pool: Callable[[], asyncpg.Pool], settings: StaffSettings, clock: Clock) -> Callable[[], Awaitable[None]]:
    """Background work: delete the rows of sessions that have ended by their timeouts (a session that is
    never used again would stay otherwise; one that is used is checked at each request)."""

    async def run() -> None:
        while True:
            await asyncio.sleep(PURGE_SESSIONS_EVERY_SECONDS)
            try:
                await sessions.purge_expired(pool(), timeouts(settings), now=clock.now())
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("could not delete expired sessions (%s); trying again later", type(exc).__name__)

    return run


def _rotate_keys_when_due(pool: Callable[[], asyncpg.Pool], settings: StaffSettings,
                          clock: Clock) -> Callable[[], Awaitable[None]]:
    """Background work: a signing key from the start (so the JWKS is never empty), and a new one once the
    current key is `signing_key_rotation_days` old, checked hourly (and at each token issued)."""

    async def run() -> None:
        while True:
            try:
                await rotate_when_due(pool(), settings, now=clock.now())
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("could not check the signing key's age (%s); trying again later", type(exc).__name__)
            await asyncio.sleep(KEY_CHECK_EVERY_SECONDS)

    return run


def create_app(settings: StaffSettings | None = None, *, clock: Clock | None = None,
               tracer_provider: TracerProvider | None = None) -> FastAPI:
    """`clock`: the time sessions, tokens and keys follow; tests pass one they move.
    `tracer_provider`: where spans go; by default as `settings` say (see `treffpunkt_shared.tracing`)."""
    settings = settings or StaffSettings()
    clock = clock or SystemClock()
    runtime = create_runtime(settings, tracer_provider=tracer_provider)
    runtime.consume(consumers.HANDLERS)
    runtime.document_published_topic(
        STAFF_TOKEN_TOPIC, "Each machine token's state (created, revoked) with its SHA-256 hash, never the token, "
        "keyed by token id; compacted.")
    runtime.run_in_background(purge_expired(lambda: runtime.pool, settings.sign_in_window_seconds))
    runtime.run_in_background(_purge_sessions(lambda: runtime.pool, settings, clock))
    runtime.run_in_background(_rotate_keys_when_due(lambda: runtime.pool, settings, clock))
    # The staff app's calls to the other services' staff APIs (see `adapters.service_calls`).
    service_client = httpx.AsyncClient(timeout=settings.service_timeout_seconds)
    runtime.on_stop(service_client.aclose)

    def configure(app: FastAPI) -> None:
        app.state.clock = clock
        # Authlib's client for the identity provider: discovery and its keys are fetched when first needed.
        app.state.oidc_client = create_oidc_client(settings) if settings.oidc_enabled else None
        app.include_router(admin_api.router)
        app.include_router(tokens.router)
        app.include_router(pages.router)
        app.include_router(password_pages.router)
        app.include_router(second_factor_pages.router)
        app.include_router(invitations_api.router)
        app.include_router(second_factor_api.router)
        app.include_router(oidc.router)
        app.state.service_client = service_client
        for router in APP_ROUTERS:
            app.include_router(router)
        for exception, handler in EXCEPTION_HANDLERS.items():
            app.add_exception_handler(exception, handler)
        app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    return create_service_app(
        runtime,
        title="Treffpunkt staff",
        description="Staff accounts and sign-in; access tokens for the other services' staff APIs; machine tokens.",
        configure=configure,
    )
