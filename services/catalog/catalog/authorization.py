"""Who may see and change what in the catalog, decided from its own tables (an event's organisers in
`event_organiser`, a session's contact persons in `session_contact_person`).

- Organisations, contact persons and programmes are for every staff member to read; creating organisations and
  programmes, and changing programmes, is for admins; an organisation, and its contact persons, are also its
  organisers' to change.
- An event is its organisers' (and admins'); a contact person sees the events and sessions that name them.

Each check first makes sure the thing exists (404 for anyone), then refuses (403) what the principal may not do.
"""

from collections.abc import Iterable
from uuid import UUID

import asyncpg

from treffpunkt_shared.errors import require_found
from treffpunkt_shared.staff_access import Principal, forbidden


def require_admin(principal: Principal, what: str) -> None:
    if not principal.is_admin:
        raise forbidden(what)


def require_organiser_of(principal: Principal, organisation_ids: Iterable[UUID], what: str) -> None:
    """Admin, or organiser of one of `organisation_ids`."""
    if not (principal.is_admin or principal.organises(organisation_ids)):
        raise forbidden(what)


async def require_organisation_manager(conn: asyncpg.Connection, principal: Principal, organisation_id: UUID) -> None:
    require_found(await conn.fetchval("SELECT true FROM organisation WHERE id = $1", organisation_id),
                  "organisation", organisation_id)
    require_organiser_of(principal, [organisation_id], "change this organisation")


async def require_contact_person_manager(conn: asyncpg.Connection, principal: Principal,
                                         contact_person_id: UUID) -> None:
    organisation_id = require_found(
        await conn.fetchval("SELECT organisation_id FROM contact_person WHERE id = $1", contact_person_id),
        "contact person", contact_person_id)
    require_organiser_of(principal, [organisation_id], "change the contact persons of this organisation")


async def event_organisers(conn: asyncpg.Connection | asyncpg.Pool, event_id: UUID) -> list[UUID] | None:
    """The event's organisers (also for the audit trail's rule), None if there is no such event."""
    row = await conn.fetchrow(
        "SELECT ARRAY(SELECT organisation_id FROM event_organiser WHERE event_id = e.id) AS organisers "
        "FROM event e WHERE e.id = $1", event_id)
    return None if row is None else row["organisers"]


async def _event_organisers(conn: asyncpg.Connection, event_id: UUID) -> list[UUID]:
    return require_found(await event_organisers(conn, event_id), "event", event_id)


async def require_event_manager(conn: asyncpg.Connection, principal: Principal, event_id: UUID) -> None:
    """Admin, or organiser of the event: may change it and its sessions."""
    require_organiser_of(principal, await _event_organisers(conn, event_id), "change this event")


async def require_event_reader(conn: asyncpg.Connection, principal: Principal, event_id: UUID) -> None:
    """Admin, organiser of the event, or contact person of one of its sessions."""
    organisers = await _event_organisers(conn, event_id)
    if principal.is_admin or principal.organises(organisers):
        return
    named = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM session s JOIN session_contact_person sc ON sc.session_id = s.id "
        "WHERE s.event_id = $1 AND sc.contact_person_id = ANY($2::uuid[]))",
        event_id, list(principal.contact_persons))
    if not named:
        raise forbidden("see this event")


async def session_event(conn: asyncpg.Connection, session_id: UUID) -> UUID:
    """The event of the session (404 if there is no such session)."""
    return require_found(await conn.fetchval("SELECT event_id FROM session WHERE id = $1", session_id),
                         "session", session_id)


async def require_session_reader(conn: asyncpg.Connection, principal: Principal, session_id: UUID) -> None:
    """Admin, organiser of the session's event, or a contact person of that session."""
    organisers = await _event_organisers(conn, await session_event(conn, session_id))
    if principal.is_admin or principal.organises(organisers):
        return
    named = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM session_contact_person WHERE session_id = $1 "
        "AND contact_person_id = ANY($2::uuid[]))", session_id, list(principal.contact_persons))
    if not named:
        raise forbidden("see this session")


async def visible_event_ids(conn: asyncpg.Connection, principal: Principal) -> list[UUID] | None:
    """The events `principal` may list; None: all of them (an admin)."""
    if principal.is_admin:
        return None
    rows = await conn.fetch(
        """
        SELECT event_id FROM event_organiser WHERE organisation_id = ANY($1::uuid[])
        UNION
        SELECT s.event_id FROM session s JOIN session_contact_person sc ON sc.session_id = s.id
        WHERE sc.contact_person_id = ANY($2::uuid[])
        """,
        list(principal.organisations), list(principal.contact_persons))
    return [row["event_id"] for row in rows]
