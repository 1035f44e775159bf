"""The staff API: manage organisations, contact persons, programmes, events and their sessions.

Reading needs a staff bearer token; changing needs one that may write.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from treffpunkt_shared.auth import STAFF_REFUSALS
from treffpunkt_shared.contracts.catalog import ContactPerson, EventStatus, Organisation, Programme
from treffpunkt_shared.errors import InvalidField, require_found

from ..adapters import queries
from ..domain import commands
from ..domain.status import StatusChange
from ..read_models import StaffEvent, StaffSession
from ..service_layer import handlers
from .dependencies import STAFF_READ, STAFF_WRITE, Connection, Settings

_NOT_FOUND = {404: {"description": "Nothing with that id."}}
_CONFLICT = {409: {"description": "The change does not fit the current state (e.g. the event is cancelled)."}}

router = APIRouter(prefix="/api/staff", tags=["staff"], responses=STAFF_REFUSALS)


# Organisations


@router.get("/organisations", dependencies=[STAFF_READ], summary="All organisations, by name")
async def list_organisations(conn: Connection) -> list[Organisation]:
    return await queries.organisations(conn)


@router.post("/organisations", status_code=status.HTTP_201_CREATED, dependencies=[STAFF_WRITE],
             summary="Create an organisation")
async def create_organisation(command: commands.CreateOrganisation, conn: Connection) -> Organisation:
    return await handlers.create_organisation(conn, command)


@router.get("/organisations/{organisation_id}", dependencies=[STAFF_READ], responses=_NOT_FOUND,
            summary="One organisation")
async def get_organisation(organisation_id: UUID, conn: Connection) -> Organisation:
    return require_found(await queries.organisation(conn, organisation_id), "organisation", organisation_id)


@router.patch("/organisations/{organisation_id}", dependencies=[STAFF_WRITE], responses=_NOT_FOUND,
              summary="Change an organisation (its people and events are published again)")
async def update_organisation(
    organisation_id: UUID, command: commands.UpdateOrganisation, conn: Connection
) -> Organisation:
    return await handlers.update_organisation(conn, organisation_id, command)


# Contact persons


@router.get("/contact-persons", dependencies=[STAFF_READ], summary="All contact persons, by name")
async def list_contact_persons(conn: Connection) -> list[ContactPerson]:
    return await queries.contact_persons(conn)


@router.post("/contact-persons", status_code=status.HTTP_201_CREATED, dependencies=[STAFF_WRITE],
             summary="Create a contact person")
async def create_contact_person(command: commands.CreateContactPerson, conn: Connection) -> ContactPerson:
    return await handlers.create_contact_person(conn, command)


@router.get("/contact-persons/{contact_person_id}", dependencies=[STAFF_READ], responses=_NOT_FOUND,
            summary="One contact person")
async def get_contact_person(contact_person_id: UUID, conn: Connection) -> ContactPerson:
    return require_found(await queries.contact_person(conn, contact_person_id), "contact person", contact_person_id)


@router.patch("/contact-persons/{contact_person_id}", dependencies=[STAFF_WRITE], responses=_NOT_FOUND,
              summary="Change a contact person (the events listing them are published again)")
async def update_contact_person(
    contact_person_id: UUID, command: commands.UpdateContactPerson, conn: Connection
) -> ContactPerson:
    return await handlers.update_contact_person(conn, contact_person_id, command)


@router.delete("/contact-persons/{contact_person_id}", status_code=status.HTTP_204_NO_CONTENT,
               dependencies=[STAFF_WRITE], responses=_NOT_FOUND,
               summary="Delete a contact person and their data, also from the sessions that list them")
async def delete_contact_person(contact_person_id: UUID, conn: Connection) -> Response:
    await handlers.delete_contact_person(conn, contact_person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Programmes


@router.get("/programmes", dependencies=[STAFF_READ], summary="All programmes and measures, by title")
async def list_programmes(conn: Connection) -> list[Programme]:
    return await queries.programmes(conn)


@router.post("/programmes", status_code=status.HTTP_201_CREATED, dependencies=[STAFF_WRITE],
             summary="Create a programme or measure")
async def create_programme(command: commands.CreateProgramme, conn: Connection) -> Programme:
    return await handlers.create_programme(conn, command)


@router.get("/programmes/{programme_id}", dependencies=[STAFF_READ], responses=_NOT_FOUND,
            summary="One programme or measure")
async def get_programme(programme_id: UUID, conn: Connection) -> Programme:
    return require_found(await queries.programme(conn, programme_id), "programme", programme_id)


@router.patch("/programmes/{programme_id}", dependencies=[STAFF_WRITE], responses=_NOT_FOUND,
              summary="Change a programme or measure")
async def update_programme(programme_id: UUID, command: commands.UpdateProgramme, conn: Connection) -> Programme:
    return await handlers.update_programme(conn, programme_id, command)


# Events


@router.get("/events", dependencies=[STAFF_READ], summary="Events in every status, by start")
async def list_events(
    conn: Connection,
    event_status: Annotated[list[EventStatus] | None, Query(alias="status", description="Only these statuses.")] = None,
) -> list[StaffEvent]:
    return await queries.events(conn, statuses=event_status)


@router.post("/events", status_code=status.HTTP_201_CREATED, dependencies=[STAFF_WRITE],
             summary="Create an event as a draft")
async def create_event(command: commands.CreateEvent, conn: Connection, settings: Settings) -> StaffEvent:
    if command.retention_days is None:
        command = command.model_copy(update={"retention_days": settings.retention_default_days})
    _check_retention(command.retention_days, settings)
    return await handlers.create_event(conn, command)


@router.get("/events/{event_id}", dependencies=[STAFF_READ], responses=_NOT_FOUND,
            summary="One event with its sessions and seat counters")
async def get_event(event_id: UUID, conn: Connection) -> StaffEvent:
    return require_found(await queries.event(conn, event_id), "event", event_id)


@router.patch("/events/{event_id}", dependencies=[STAFF_WRITE], responses=_NOT_FOUND | _CONFLICT,
              summary="Change an event")
async def update_event(event_id: UUID, command: commands.UpdateEvent, conn: Connection,
                       settings: Settings) -> StaffEvent:
    if "retention_days" in command.model_fields_set:
        _check_retention(command.retention_days, settings)
    return await handlers.update_event(conn, event_id, command)


def _check_retention(days: int | None, settings: Settings) -> None:
    """The operator's bounds: long enough for the questions after an event, short enough for DSGVO Art. 5 (1) e."""
    if days is None or not settings.retention_min_days <= days <= settings.retention_max_days:
        raise InvalidField("retention_days", f"Give between {settings.retention_min_days} and "
                                             f"{settings.retention_max_days} days.")


@router.post("/events/{event_id}/publish", dependencies=[STAFF_WRITE], responses=_NOT_FOUND | _CONFLICT,
             summary="Publish a draft, or reopen a closed event for registrations")
async def publish_event(event_id: UUID, conn: Connection) -> StaffEvent:
    return await handlers.change_event_status(conn, event_id, StatusChange.publish)


@router.post("/events/{event_id}/close", dependencies=[STAFF_WRITE], responses=_NOT_FOUND | _CONFLICT,
             summary="Stop registrations for a published event; it stays visible")
async def close_event(event_id: UUID, conn: Connection) -> StaffEvent:
    return await handlers.change_event_status(conn, event_id, StatusChange.close)


@router.post("/events/{event_id}/cancel", dependencies=[STAFF_WRITE], responses=_NOT_FOUND | _CONFLICT,
             summary="Cancel an event; this is final")
async def cancel_event(event_id: UUID, conn: Connection) -> StaffEvent:
    return await handlers.change_event_status(conn, event_id, StatusChange.cancel)


# Sessions


@router.post("/events/{event_id}/sessions", status_code=status.HTTP_201_CREATED, dependencies=[STAFF_WRITE],
             responses=_NOT_FOUND | _CONFLICT, summary="Add a parallel session to an event")
async def add_session(event_id: UUID, command: commands.AddSession, conn: Connection) -> StaffSession:
    return await handlers.add_session(conn, event_id, command)


@router.get("/sessions/{session_id}", dependencies=[STAFF_READ], responses=_NOT_FOUND,
            summary="One session with its seat counters")
async def get_session(session_id: UUID, conn: Connection) -> StaffSession:
    return require_found(await queries.session(conn, session_id), "session", session_id)


@router.patch("/sessions/{session_id}", dependencies=[STAFF_WRITE], responses=_NOT_FOUND | _CONFLICT,
              summary="Change a session")
async def update_session(session_id: UUID, command: commands.UpdateSession, conn: Connection) -> StaffSession:
    return await handlers.update_session(conn, session_id, command)
