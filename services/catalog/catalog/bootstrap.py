"""Wires the catalog: the shared runtime (pool, broker, outbox relay, health) with the catalog's routes."""

from fastapi import FastAPI

from treffpunkt_shared import runtime
from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC

from .entrypoints import public_api, staff_api
from .service_layer.seat_ledger import handle_registration_events
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
    app.include_router(public_api.router)


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    service = runtime.create_runtime(settings)
    service.consume(REGISTRATION_TOPIC, handle_registration_events)
    return runtime.create_app(service, title="Treffpunkt catalog", description=DESCRIPTION, configure=_configure)
