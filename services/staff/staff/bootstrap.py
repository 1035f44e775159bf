"""Wires the staff service: accounts and sign-in, the admin API, access tokens for the other services
and their keys, the pages."""

from fastapi import FastAPI
from opentelemetry.trace import TracerProvider

from treffpunkt_shared.clock import Clock, SystemClock
from treffpunkt_shared.contracts.staff import STAFF_TOKEN_TOPIC
from treffpunkt_shared.rate_limits import purge_expired
from treffpunkt_shared.runtime import create_app as create_service_app
from treffpunkt_shared.runtime import create_runtime

from .entrypoints import consumers
from .settings import StaffSettings


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

    def configure(app: FastAPI) -> None:
        app.state.clock = clock

    return create_service_app(
        runtime,
        title="Treffpunkt staff",
        description="Staff accounts and sign-in; access tokens for the other services' staff APIs; machine tokens.",
        configure=configure,
    )
