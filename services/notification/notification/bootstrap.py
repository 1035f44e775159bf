"""Wires the notification service: its local copy of the catalog, kept from the catalog's events."""

from fastapi import FastAPI

from treffpunkt_shared.catalog_copy import apply_catalog_events
from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC
from treffpunkt_shared.runtime import create_app as create_service_app
from treffpunkt_shared.runtime import create_runtime

from .settings import NotificationSettings


def create_app(settings: NotificationSettings | None = None) -> FastAPI:
    runtime = create_runtime(settings or NotificationSettings())
    runtime.consume(CATALOG_TOPIC, apply_catalog_events)
    return create_service_app(
        runtime,
        title="Treffpunkt notification",
        description="Emails to registrants and notices to the sessions' contact persons.",
        configure=lambda app: None,
    )
