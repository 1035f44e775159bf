"""Wires the registration service: the local copy of the catalog and the public pages."""

from fastapi import FastAPI

from treffpunkt_shared.catalog_copy import apply_catalog_events
from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC
from treffpunkt_shared.runtime import create_app as create_service_app
from treffpunkt_shared.runtime import create_runtime

from .entrypoints import pages
from .settings import RegistrationSettings


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    runtime = create_runtime(settings or RegistrationSettings())
    runtime.consume(CATALOG_TOPIC, apply_catalog_events)
    return create_service_app(
        runtime,
        title="Treffpunkt registration",
        description="Register for events and their parallel sessions; staff lists and exports.",
        configure=lambda app: app.include_router(pages.router),
    )
