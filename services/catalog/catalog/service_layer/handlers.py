"""One handler per command. Each runs in one transaction that also writes what it changed to the
outbox, so the change and its messages are stored together or not at all.

Handlers take the connection to work on; ids of new things may be given (the demo data has fixed
ones), else they are made up here. The correlation id of every message is the id of the thing the
command is about, so that everything one change caused can be found together.
"""

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID, uuid4

import asyncpg

from treffpunkt_shared.contracts.catalog import ContactPerson as ContactPersonSnapshot
from treffpunkt_shared.contracts.catalog import Organisation as OrganisationSnapshot
from treffpunkt_shared.contracts.catalog import Programme as ProgrammeSnapshot
from treffpunkt_shared.errors import InvalidField, require_found
from treffpunkt_shared.messaging.commit_hooks import run_after_commit

from ..adapters import queries
from ..adapters.repository import CatalogRepository, Kind
from ..domain import commands
from ..domain.model import ContactPerson, Event, Organisation, Programme, Session
from ..domain.status import StatusChange
from ..read_models import StaffEvent, StaffSession
from . import allocation
from .publishing import (
    publish_contact_person_deleted,
    publish_contact_persons,
    publish_events,
    publish_organisation,
    publish_programme,
)


async def _require_known(repo: CatalogRepository, kind: Kind, field: str, ids: UUID | Sequence[UUID] | None) -> None:
    """Refuse a reference to something that does not exist, naming the field (and item) that holds it."""
    if ids is None:
        return
    listed = not isinstance(ids, UUID)
    items = list(ids) if listed else [ids]
    if not items:
        return
    unknown = await repo.unknown_ids(kind, items)
    for index, id in enumerate(items):
        if id in unknown:
            raise InvalidField(field, f"There is no {kind} with id {id}.", index=index if listed else None)


# Organisations


async def create_organisation(
    conn: asyncpg.Connection, command: commands.CreateOrganisation, *, organisation_id: UUID | None = None
) -> OrganisationSnapshot:
    organisation = Organisation(id=organisation_id or uuid4(), **command.values())
    async with conn.transaction():
        await CatalogRepository(conn).add_organisation(organisation)
        return await publish_organisation(conn, organisation.id, correlation_id=str(organisation.id))


async def update_organisation(
    conn: asyncpg.Connection, organisation_id: UUID, command: commands.UpdateOrganisation
) -> OrganisationSnapshot:
    """The snapshots of events show it too, and those of its contact persons show its name: they
    are published again."""
    async with conn.transaction():
        repo = CatalogRepository(conn)
        current = require_found(await repo.organisation_for_update(organisation_id), "organisation", organisation_id)
        revised = replace(current, **command.values())
        if revised == current:
            return await queries.organisation(conn, organisation_id)
        await repo.save_organisation(revised)
        renamed = revised.name != current.name
        people = await repo.lock_contact_persons_of(organisation_id) if renamed else []
        events = await repo.lock_events_showing_organisation(organisation_id)
        correlation_id = str(organisation_id)
        saved = await publish_organisation(conn, organisation_id, correlation_id=correlation_id)
        await publish_contact_persons(conn, people, correlation_id=correlation_id)
        await publish_events(conn, events, correlation_id=correlation_id)
        return saved


# Contact persons


async def create_contact_person(
    conn: asyncpg.Connection, command: commands.CreateContactPerson, *, contact_person_id: UUID | None = None
) -> ContactPersonSnapshot:
    person = ContactPerson(id=contact_person_id or uuid4(), **command.values())
    async with conn.transaction():
        repo = CatalogRepository(conn)
        await _require_known(repo, Kind.organisation, "organisation_id", person.organisation_id)
        await repo.add_contact_person(person)
        [saved] = await publish_contact_persons(conn, [person.id], correlation_id=str(person.id))
        return saved


async def update_contact_person(
    conn: asyncpg.Connection, contact_person_id: UUID, command: commands.UpdateContactPerson
) -> ContactPersonSnapshot:
    """The events whose sessions list the person are published again with the new details."""
    async with conn.transaction():
        repo = CatalogRepository(conn)
        current = require_found(await repo.contact_person_for_update(contact_person_id), "contact person", contact_person_id)
        changes = command.values()
        await _require_known(repo, Kind.organisation, "organisation_id", changes.get("organisation_id"))
        revised = replace(current, **changes)
        if revised == current:
            return await queries.contact_person(conn, contact_person_id)
        await repo.save_contact_person(revised)
        events = await repo.lock_events_showing_contact_person(contact_person_id)
        correlation_id = str(contact_person_id)
        [saved] = await publish_contact_persons(conn, [contact_person_id], correlation_id=correlation_id)
        await publish_events(conn, events, correlation_id=correlation_id)
        return saved


async def delete_contact_person(conn: asyncpg.Connection, contact_person_id: UUID) -> None:
    """Remove the person and their personal data, also from the sessions (and the others' copies)."""
    async with conn.transaction():
        repo = CatalogRepository(conn)
        # Events first, as every handler locks them before what is in them.
        await repo.lock_events_showing_contact_person(contact_person_id)
        require_found(await repo.contact_person_for_update(contact_person_id), "contact person", contact_person_id)
        # Again, now that the person is locked: a session may have listed them in between.
        events = await repo.lock_events_showing_contact_person(contact_person_id)
        await repo.delete_contact_person(contact_person_id)
        correlation_id = str(contact_person_id)
        await publish_contact_person_deleted(conn, contact_person_id, correlation_id=correlation_id)
        await publish_events(conn, events, correlation_id=correlation_id)


# Programmes


async def create_programme(
    conn: asyncpg.Connection, command: commands.CreateProgramme, *, programme_id: UUID | None = None
) -> ProgrammeSnapshot:
    programme = Programme(id=programme_id or uuid4(), **command.values())
    async with conn.transaction():
        repo = CatalogRepository(conn)
        await _require_known(repo, Kind.programme, "linked_programme_ids", programme.linked_programme_ids)
        await repo.add_programme(programme)
        return await publish_programme(conn, programme.id, correlation_id=str(programme.id))


async def update_programme(
    conn: asyncpg.Connection, programme_id: UUID, command: commands.UpdateProgramme
) -> ProgrammeSnapshot:
    async with conn.transaction():
        repo = CatalogRepository(conn)
        current = require_found(await repo.programme_for_update(programme_id), "programme", programme_id)
        changes = command.values()
        revised = replace(current, **changes)
        await _require_known(repo, Kind.programme, "linked_programme_ids", changes.get("linked_programme_ids"))
        if revised == current:
            return await queries.programme(conn, programme_id)
        await repo.save_programme(revised)
        return await publish_programme(conn, programme_id, correlation_id=str(programme_id))


# Events


async def _require_event_references(repo: CatalogRepository, values: dict) -> None:
    await _require_known(repo, Kind.programme, "programme_id", values.get("programme_id"))
    await _require_known(repo, Kind.organisation, "organiser_ids", values.get("organiser_ids"))


async def _publish_event(conn: asyncpg.Connection, event_id: UUID) -> StaffEvent:
    [saved] = await publish_events(conn, [event_id], correlation_id=str(event_id))
    return saved


async def create_event(
    conn: asyncpg.Connection, command: commands.CreateEvent, *, event_id: UUID | None = None
) -> StaffEvent:
    """A new event, as a draft; without a retention period, with the domain's default."""
    values = {name: value for name, value in command.values().items()
              if not (name == "retention_days" and value is None)}
    event = Event(id=event_id or uuid4(), **values)
    async with conn.transaction():
        repo = CatalogRepository(conn)
        await _require_event_references(repo, values)
        await repo.add_event(event)
        return await _publish_event(conn, event.id)


async def update_event(conn: asyncpg.Connection, event_id: UUID, command: commands.UpdateEvent) -> StaffEvent:
    async with conn.transaction():
        repo = CatalogRepository(conn)
        current = require_found(await repo.event_for_update(event_id), "event", event_id)
        changes = command.values()
        revised = current.revised(**changes)
        await _require_event_references(repo, changes)
        if revised == current:
            return await queries.event(conn, event_id)
        await repo.save_event(revised)
        return await _publish_event(conn, event_id)


async def change_event_status(conn: asyncpg.Connection, event_id: UUID, change: StatusChange) -> StaffEvent:
    """Publish, close or cancel an event (see `domain.status` for which step is allowed when)."""
    async with conn.transaction():
        repo = CatalogRepository(conn)
        current = require_found(await repo.event_for_update(event_id), "event", event_id)
        await repo.save_event(current.with_status(change))
        return await _publish_event(conn, event_id)


# Sessions


async def add_session(
    conn: asyncpg.Connection, event_id: UUID, command: commands.AddSession, *, session_id: UUID | None = None
) -> StaffSession:
    """A new session after the event's others; the event is published again with it."""
    async with conn.transaction():
        repo = CatalogRepository(conn)
        event = require_found(await repo.event_for_update(event_id), "event", event_id)
        event.require_changeable()
        position = await repo.next_session_position(event_id)
        session = Session(id=session_id or uuid4(), event_id=event_id, position=position, **command.values())
        await _require_known(repo, Kind.contact_person, "contact_person_ids", session.contact_person_ids)
        await repo.add_session(session)
        await _publish_event(conn, event_id)
        return await queries.session(conn, session.id)


async def update_session(conn: asyncpg.Connection, session_id: UUID, command: commands.UpdateSession) -> StaffSession:
    with run_after_commit():
        async with conn.transaction():
            repo = CatalogRepository(conn)
            event_id = require_found(await repo.event_id_of_session(session_id), "session", session_id)
            # The event before its session, as everywhere.
            event = require_found(await repo.event_for_update(event_id), "event", event_id)
            event.require_changeable()
            current = require_found(await repo.session_for_update(session_id), "session", session_id)
            changes = command.values()
            revised = replace(current, **changes)
            await _require_known(repo, Kind.contact_person, "contact_person_ids", changes.get("contact_person_ids"))
            if revised != current:
                await repo.save_session(revised)
                if revised.capacity > current.capacity:
                    # New seats go to the waiting list first, in its order.
                    await allocation.promote(conn, session_id)
                await _publish_event(conn, event_id)
            return await queries.session(conn, session_id)
