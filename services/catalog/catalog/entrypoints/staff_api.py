"""The staff API: manage organisations, contact persons, programmes, events and their sessions, and read
the audit trail of these changes.

Every route takes a staff principal (`treffpunkt_shared.staff_access`); who may do what is decided in
`..authorization`; every change is written to the audit trail in its transaction.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from treffpunkt_shared import audit
from treffpunkt_shared.contracts.catalog import ContactPerson, EventStatus, Organisation, Programme
from treffpunkt_shared.errors import InvalidField, require_found
from treffpunkt_shared.staff_access import STAFF_FORBIDDEN, STAFF_UNAUTHORIZED, StaffPrincipal, StaffWriter

from .. import authorization as rules
from ..adapters import queries
from ..domain import commands
from ..domain.status import StatusChange
from ..read_models import StaffEvent, StaffSession
from ..service_layer import handlers
from .dependencies import Connection, Settings, changing

_NOT_FOUND = {404: {"description": "Nothing with that id."}}
_CONFLICT = {409: {"description": "The change does not fit the current state (e.g. the event is cancelled)."}}

# Reading organisations, people and programmes, and the (filtered) event list, refuse nobody signed in.
router = APIRouter(prefix="/api/staff", tags=["staff"], responses=STAFF_UNAUTHORIZED)


# Organisations


@router.get("/organisations", summary="All organisations, by name")
async def list_organisations(conn: Connection, _: StaffPrincipal) -> list[Organisation]:
    return await queries.organisations(conn)


@router.post("/organisations", status_code=status.HTTP_201_CREATED,
             responses=STAFF_FORBIDDEN, summary="Create an organisation")
async def create_organisation(command: commands.CreateOrganisation, conn: Connection,
                              principal: StaffWriter) -> Organisation:
    """Admins."""
    rules.require_admin(principal, "create organisations")
    async with changing(conn):
        created = await handlers.create_organisation(conn, command)
        await audit.record(conn, principal, "organisation.created", created.id)
    return created


@router.get("/organisations/{organisation_id}", responses=_NOT_FOUND,
            summary="One organisation")
async def get_organisation(organisation_id: UUID, conn: Connection, _: StaffPrincipal) -> Organisation:
    return require_found(await queries.organisation(conn, organisation_id), "organisation", organisation_id)


@router.patch("/organisations/{organisation_id}", responses=STAFF_FORBIDDEN | _NOT_FOUND,
              summary="Change an organisation (its people and events are published again)")
async def update_organisation(
    organisation_id: UUID, command: commands.UpdateOrganisation, conn: Connection, principal: StaffWriter
) -> Organisation:
    """Admins and the organisation's organisers."""
    await rules.require_organisation_manager(conn, principal, organisation_id)
    async with changing(conn):
        updated = await handlers.update_organisation(conn, organisation_id, command)
        await audit.record(conn, principal, "organisation.changed", organisation_id)
    return updated


# Contact persons


@router.get("/contact-persons", summary="All contact persons, by name")
async def list_contact_persons(conn: Connection, _: StaffPrincipal) -> list[ContactPerson]:
    return await queries.contact_persons(conn)


@router.post("/contact-persons", status_code=status.HTTP_201_CREATED,
             responses=STAFF_FORBIDDEN, summary="Create a contact person")
async def create_contact_person(command: commands.CreateContactPerson, conn: Connection,
                                principal: StaffWriter) -> ContactPerson:
    """Admins and the organisers of the person's organisation."""
    rules.require_organiser_of(principal, [command.organisation_id], "add contact persons to this organisation")
    async with changing(conn):
        created = await handlers.create_contact_person(conn, command)
        await audit.record(conn, principal, "contact_person.created", created.id)
    return created


@router.get("/contact-persons/{contact_person_id}", responses=_NOT_FOUND,
            summary="One contact person")
async def get_contact_person(contact_person_id: UUID, conn: Connection, _: StaffPrincipal) -> ContactPerson:
    return require_found(await queries.contact_person(conn, contact_person_id), "contact person", contact_person_id)


@router.patch("/contact-persons/{contact_person_id}", responses=STAFF_FORBIDDEN | _NOT_FOUND,
              summary="Change a contact person (the events listing them are published again)")
async def update_contact_person(
    contact_person_id: UUID, command: commands.UpdateContactPerson, conn: Connection, principal: StaffWriter
) -> ContactPerson:
    """Admins and the organisers of the person's organisation (and of the one they move to)."""
    await rules.require_contact_person_manager(conn, principal, contact_person_id)
    if command.organisation_id is not None:
        rules.require_organiser_of(principal, [command.organisation_id], "move contact persons to this organisation")
    async with changing(conn):
        updated = await handlers.update_contact_person(conn, contact_person_id, command)
        await audit.record(conn, principal, "contact_person.changed", contact_person_id)
    return updated


@router.delete("/contact-persons/{contact_person_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=STAFF_FORBIDDEN | _NOT_FOUND,
               summary="Delete a contact person and their data, also from the sessions that list them")
async def delete_contact_person(contact_person_id: UUID, conn: Connection, principal: StaffWriter) -> Response:
    """Admins and the organisers of the person's organisation."""
    await rules.require_contact_person_manager(conn, principal, contact_person_id)
    async with changing(conn):
        await handlers.delete_contact_person(conn, contact_person_id)
        await audit.record(conn, principal, "contact_person.deleted", contact_person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Programmes


@router.get("/programmes", summary="All programmes and measures, by title")
async def list_programmes(conn: Connection, _: StaffPrincipal) -> list[Programme]:
    return await queries.programmes(conn)


@router.post("/programmes", status_code=status.HTTP_201_CREATED,
             responses=STAFF_FORBIDDEN, summary="Create a programme or measure")
async def create_programme(command: commands.CreateProgramme, conn: Connection, principal: StaffWriter) -> Programme:
    """Admins."""
    rules.require_admin(principal, "create programmes")
    async with changing(conn):
        created = await handlers.create_programme(conn, command)
        await audit.record(conn, principal, "programme.created", created.id)
    return created


@router.get("/programmes/{programme_id}", responses=_NOT_FOUND,
            summary="One programme or measure")
async def get_programme(programme_id: UUID, conn: Connection, _: StaffPrincipal) -> Programme:
    return require_found(await queries.programme(conn, programme_id), "programme", programme_id)


@router.patch("/programmes/{programme_id}", responses=STAFF_FORBIDDEN | _NOT_FOUND,
              summary="Change a programme or measure")
async def update_programme(programme_id: UUID, command: commands.UpdateProgramme, conn: Connection,
                           principal: StaffWriter) -> Programme:
    """Admins."""
    require_found(await queries.programme(conn, programme_id), "programme", programme_id)
    rules.require_admin(principal, "change programmes")
    async with changing(conn):
        updated = await handlers.update_programme(conn, programme_id, command)
        await audit.record(conn, principal, "programme.changed", programme_id)
    return updated


# Events


@router.get("/events", summary="Events in every status, by start")
async def list_events(
    conn: Connection, principal: StaffPrincipal,
    event_status: Annotated[list[EventStatus] | None, Query(alias="status", description="Only these statuses.")] = None,
) -> list[StaffEvent]:
    """Admins: all; organisers: the events they organise; contact persons: the events with a session naming them."""
    return await queries.events(conn, ids=await rules.visible_event_ids(conn, principal), statuses=event_status)


@router.post("/events", status_code=status.HTTP_201_CREATED,
             responses=STAFF_FORBIDDEN, summary="Create an event as a draft")
async def create_event(command: commands.CreateEvent, conn: Connection, principal: StaffWriter,
                       settings: Settings) -> StaffEvent:
    """Admins; an organiser for an event that one of their organisations organises (in `organiser_ids`)."""
    rules.require_organiser_of(principal, command.organiser_ids, "create events that none of your organisations "
                               "organises (add it to organiser_ids)")
    if command.retention_days is None:
        command = command.model_copy(update={"retention_days": settings.retention_default_days})
    _check_retention(command.retention_days, settings)
    async with changing(conn):
        created = await handlers.create_event(conn, command)
        await audit.record(conn, principal, "event.created", created.id, event_id=created.id)
    return created


@router.get("/events/{event_id}", responses=STAFF_FORBIDDEN | _NOT_FOUND,
            summary="One event with its sessions and seat counters")
async def get_event(event_id: UUID, conn: Connection, principal: StaffPrincipal) -> StaffEvent:
    """Admins, the event's organisers, the contact persons of its sessions."""
    await rules.require_event_reader(conn, principal, event_id)
    return require_found(await queries.event(conn, event_id), "event", event_id)


@router.patch("/events/{event_id}", responses=STAFF_FORBIDDEN | _NOT_FOUND | _CONFLICT,
              summary="Change an event")
async def update_event(event_id: UUID, command: commands.UpdateEvent, conn: Connection,
                       principal: StaffWriter, settings: Settings) -> StaffEvent:
    """Admins and the event's organisers."""
    await rules.require_event_manager(conn, principal, event_id)
    if "retention_days" in command.model_fields_set:
        _check_retention(command.retention_days, settings)
    async with changing(conn):
        updated = await handlers.update_event(conn, event_id, command)
        await audit.record(conn, principal, "event.changed", event_id, event_id=event_id)
    return updated


def _check_retention(days: int | None, settings: Settings) -> None:
    """The operator's bounds: long enough for the questions after an event, short enough for DSGVO Art. 5 (1) e."""
    if days is None or not settings.retention_min_days <= days <= settings.retention_max_days:
        raise InvalidField("retention_days", f"Give between {settings.retention_min_days} and "
                                             f"{settings.retention_max_days} days.")


@router.post("/events/{event_id}/publish", responses=STAFF_FORBIDDEN | _NOT_FOUND | _CONFLICT,
             summary="Publish a draft, or reopen a closed event for registrations")
async def publish_event(event_id: UUID, conn: Connection, principal: StaffWriter) -> StaffEvent:
    """Admins and the event's organisers."""
    return await _change_status(conn, principal, event_id, StatusChange.publish, "event.published")


@router.post("/events/{event_id}/close", responses=STAFF_FORBIDDEN | _NOT_FOUND | _CONFLICT,
             summary="Stop registrations for a published event; it stays visible")
async def close_event(event_id: UUID, conn: Connection, principal: StaffWriter) -> StaffEvent:
    """Admins and the event's organisers."""
    return await _change_status(conn, principal, event_id, StatusChange.close, "event.closed")


@router.post("/events/{event_id}/cancel", responses=STAFF_FORBIDDEN | _NOT_FOUND | _CONFLICT,
             summary="Cancel an event; this is final")
async def cancel_event(event_id: UUID, conn: Connection, principal: StaffWriter) -> StaffEvent:
    """Admins and the event's organisers."""
    return await _change_status(conn, principal, event_id, StatusChange.cancel, "event.cancelled")


async def _change_status(conn: Connection, principal: StaffWriter, event_id: UUID, change: StatusChange,
                         action: str) -> StaffEvent:
    await rules.require_event_manager(conn, principal, event_id)
    async with changing(conn):
        changed = await handlers.change_event_status(conn, event_id, change)
        await audit.record(conn, principal, action, event_id, event_id=event_id)
    return changed


# Sessions


@router.post("/events/{event_id}/sessions", status_code=status.HTTP_201_CREATED,
             responses=STAFF_FORBIDDEN | _NOT_FOUND | _CONFLICT, summary="Add a parallel session to an event")
async def add_session(event_id: UUID, command: commands.AddSession, conn: Connection,
                      principal: StaffWriter) -> StaffSession:
    """Admins and the event's organisers."""
    await rules.require_event_manager(conn, principal, event_id)
    async with changing(conn):
        added = await handlers.add_session(conn, event_id, command)
        await audit.record(conn, principal, "session.added", added.id, event_id=event_id)
    return added


@router.get("/sessions/{session_id}", responses=STAFF_FORBIDDEN | _NOT_FOUND,
            summary="One session with its seat counters")
async def get_session(session_id: UUID, conn: Connection, principal: StaffPrincipal) -> StaffSession:
    """Admins, the organisers of its event, its contact persons."""
    await rules.require_session_reader(conn, principal, session_id)
    return require_found(await queries.session(conn, session_id), "session", session_id)


@router.patch("/sessions/{session_id}", responses=STAFF_FORBIDDEN | _NOT_FOUND | _CONFLICT,
              summary="Change a session")
async def update_session(session_id: UUID, command: commands.UpdateSession, conn: Connection,
                         principal: StaffWriter) -> StaffSession:
    """Admins and the organisers of its event."""
    event_id = await rules.session_event(conn, session_id)
    await rules.require_event_manager(conn, principal, event_id)
    async with changing(conn):
        updated = await handlers.update_session(conn, session_id, command)
        await audit.record(conn, principal, "session.changed", session_id, event_id=event_id)
    return updated


audit_router = audit.audit_router("/api/staff", rules.event_organisers)
