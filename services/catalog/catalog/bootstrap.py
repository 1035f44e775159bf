"""Wires the catalog: the shared runtime (pool, broker, outbox relay, health) with the catalog's routes."""

from fastapi import FastAPI
from opentelemetry.trace import TracerProvider

from treffpunkt_shared import runtime
from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC
from treffpunkt_shared.contracts.seats import SEAT_TOPIC

from .entrypoints import consumers, public_api, staff_api
from .settings import CatalogSettings

DESCRIPTION = """\
The catalog of Treffpunkt: organisations, contact persons, programmes, events and their parallel
sessions with limited seats. Staff manage it under `/api/staff` (bearer token); anyone reads the
published events under `/api/events`. Every change is published on the Kafka topic
`catalog.catalog.v1` as the new state of what changed. The seat ledger decides each registration
from `registration.registration.v1` (seat, waiting list or not possible) and publishes the
decisions on `catalog.seat.v1`.
"""


def _configure(app: FastAPI) -> None:
    app.include_router(staff_api.router)
    app.include_router(staff_api.audit_router)
    app.include_router(public_api.router)


def create_app(settings: CatalogSettings | None = None, *, tracer_provider: TracerProvider | None = None) -> FastAPI:
    """`tracer_provider`: where spans go; by default as `settings` say (see `treffpunkt_shared.tracing`)."""
    settings = settings or CatalogSettings()
    service = runtime.create_runtime(settings, tracer_provider=tracer_provider)
    service.consume(consumers.HANDLERS)
    service.document_published_topic(
        CATALOG_TOPIC, "The new state of each organisation, contact person, programme and event that changed (events "
        "with their sessions), keyed by its id; compacted: the latest state of each stays. The other services keep "
        "their local copy of the catalog from it.")
    service.document_published_topic(
        SEAT_TOPIC, "The seat ledger's decision for each registration (seat, waiting list or rejected), releases on "
        "cancellation and moves up from the waiting list, keyed by registration id.")
    return runtime.create_app(service, title="Treffpunkt catalog", description=DESCRIPTION, configure=_configure)
