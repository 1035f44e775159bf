"""The Kafka consumers' handlers (batches, inbox and dead letters come from `treffpunkt_shared`)."""

from collections.abc import Callable, Sequence

import asyncpg

from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.contracts.registration import REGISTRATION_EVENTS
from treffpunkt_shared.messaging.consumer import BatchHandler, after_commit, one_by_one

from ..domain.clock import Clock
from ..service_layer.event_changes import apply_catalog_event
from ..service_layer.registrations import OUTCOMES, record_outcomes
from ..settings import NotificationSettings


def registration_events(settings: NotificationSettings, clock: Clock, emails_queued: Callable[[], None]) -> BatchHandler:
    """`registration.registration.v1`: the outcomes; a request for a seat is nobody's email yet.
    `emails_queued` is called once the emails are committed (it wakes the sender)."""

    async def handle(conn: asyncpg.Connection, envelopes: Sequence[Envelope]) -> None:
        outcomes = []
        for envelope in one_by_one(envelopes):
            payload = envelope.parse_payload(REGISTRATION_EVENTS)
            if isinstance(payload, OUTCOMES):
                outcomes.append((payload, envelope))
        if outcomes:
            await record_outcomes(conn, outcomes, now=clock.now(), domain=settings.sender_domain)
            after_commit(emails_queued)

    return handle


def catalog_events(settings: NotificationSettings) -> BatchHandler:
    """`catalog.catalog.v1`: the local copy, and the registrants told when their event is cancelled or moves."""

    async def handle(conn: asyncpg.Connection, envelopes: Sequence[Envelope]) -> None:
        for envelope in one_by_one(envelopes):
            await apply_catalog_event(conn, envelope, domain=settings.sender_domain)

    return handle
