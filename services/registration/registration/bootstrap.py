"""Wires the registration service: its local copy of the catalog, the seat decisions, the public
pages and API, and the staff API."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from opentelemetry.trace import TracerProvider

from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC
from treffpunkt_shared.rate_limits import purge_expired
from treffpunkt_shared.runtime import create_app as create_service_app
from treffpunkt_shared.runtime import create_runtime

from .adapters.decision_waiter import DecisionWaiter
from .entrypoints import api, calendar_feeds, consumers, pages, staff_api
from .entrypoints.errors import invalid_request
from .links import Links
from .service_layer.erasure import retention_eraser
from .settings import RegistrationSettings
from .stranded_requests import stranded_request_repeater


def create_app(settings: RegistrationSettings | None = None, *, tracer_provider: TracerProvider | None = None) -> FastAPI:
    """`tracer_provider`: where spans go; by default as `settings` say (see `treffpunkt_shared.tracing`)."""
    settings = settings or RegistrationSettings()
    runtime = create_runtime(settings, tracer_provider=tracer_provider)  # refuses to go on without the secret
    links = Links(settings.base_url, settings.signing_secret.get_secret_value())
    waiter = DecisionWaiter(runtime.dsn)
    runtime.consume(consumers.HANDLERS, links)
    runtime.document_published_topic(
        REGISTRATION_TOPIC, "Each registration's requests to the seat ledger (ids only) and its outcomes with the "
        "participant's data for the emails, keyed by registration id. Holds personal data: bounded retention.")
    runtime.on_stop(waiter.close)
    runtime.run_in_background(purge_expired(lambda: runtime.pool, settings.rate_limit_window_seconds))
    if settings.erasure_interval_seconds > 0:
        runtime.run_in_background(retention_eraser(lambda: runtime.pool, settings.erasure_interval_seconds,
                                                   settings.erasure_batch_size))
    if settings.pending_repeat_seconds > 0:
        runtime.run_in_background(stranded_request_repeater(lambda: runtime.pool, settings.kafka_bootstrap_servers,
                                                            settings.pending_repeat_seconds))

    def configure(app: FastAPI) -> None:
        app.state.links = links
        app.state.waiter = waiter
        app.add_exception_handler(RequestValidationError, invalid_request)
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_allowed_origins, allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Idempotency-Key"],
        )
        app.include_router(api.router)
        app.include_router(staff_api.router)
        app.include_router(staff_api.audit_router)
        app.include_router(pages.router)
        app.include_router(calendar_feeds.router)
        app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    return create_service_app(
        runtime,
        title="Treffpunkt registration",
        description="Register for events and their parallel sessions; staff lists and exports.",
        configure=configure,
        embed_origins=settings.embed_origins,
    )
