"""The catalog's snapshots, read back after a change and written to the outbox in its transaction."""

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.catalog import (
    ContactPerson,
    ContactPersonDeleted,
    ContactPersonSaved,
    EventSaved,
    Organisation,
    OrganisationSaved,
    Programme,
    ProgrammeSaved,
)
from treffpunkt_shared.messaging.outbox import enqueue, enqueue_many

from ..adapters import queries
from ..read_models import StaffEvent
from ..settings import CatalogSettings

PRODUCER = CatalogSettings.service_name


async def publish_organisation(conn: asyncpg.Connection, organisation_id: UUID, *, correlation_id: str) -> Organisation:
    organisation = await queries.organisation(conn, organisation_id)
    await enqueue(conn, OrganisationSaved(organisation=organisation), producer=PRODUCER, correlation_id=correlation_id)
    return organisation


async def publish_contact_persons(
    conn: asyncpg.Connection, ids: Sequence[UUID], *, correlation_id: str
) -> list[ContactPerson]:
    people = await queries.contact_persons(conn, ids) if ids else []
    await enqueue_many(conn, [(ContactPersonSaved(contact_person=p), correlation_id) for p in people], producer=PRODUCER)
    return people


async def publish_contact_person_deleted(conn: asyncpg.Connection, contact_person_id: UUID, *, correlation_id: str) -> None:
    await enqueue(conn, ContactPersonDeleted(contact_person_id=contact_person_id),
                  producer=PRODUCER, correlation_id=correlation_id)


async def publish_programme(conn: asyncpg.Connection, programme_id: UUID, *, correlation_id: str) -> Programme:
    programme = await queries.programme(conn, programme_id)
    await enqueue(conn, ProgrammeSaved(programme=programme), producer=PRODUCER, correlation_id=correlation_id)
    return programme


async def publish_events(conn: asyncpg.Connection, ids: Sequence[UUID], *, correlation_id: str) -> list[StaffEvent]:
    events = await queries.events(conn, ids=ids) if ids else []
    await enqueue_many(conn, [(EventSaved(event=e.snapshot()), correlation_id) for e in events], producer=PRODUCER)
    return events
