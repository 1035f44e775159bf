"""Reads of the catalog's current state, shaped as it is shown and published (explicit SQL).

An event comes back with its organisers, sessions and their contact persons from one statement:
PostgreSQL builds the nested JSON, Pydantic checks it.
"""

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.catalog import ContactPerson, EventStatus, Organisation, Programme

from ..read_models import StaffEvent, StaffSession

_ORGANISATIONS = ("SELECT id, name, kind, website, controller, privacy_notice_url, privacy_notice_version, "
                  "privacy_notice_sha256 FROM organisation")

_CONTACT_PERSONS = """
SELECT c.id, c.organisation_id, o.name AS organisation_name, c.name, c.role, c.email, c.phone
FROM contact_person c JOIN organisation o ON o.id = c.organisation_id
"""

_PROGRAMMES = """
SELECT p.id, p.title, p.description, p.kind, p.responsible_offices,
       ARRAY(SELECT l.linked_programme_id FROM programme_link l
             WHERE l.programme_id = p.id ORDER BY l.position) AS linked_programme_ids
FROM programme p
"""

# The JSON of session `s`, with its contact persons.
_SESSION_JSON = """
jsonb_build_object(
    'id', s.id, 'event_id', s.event_id, 'position', s.position, 'title', s.title,
    'description', s.description, 'capacity', s.capacity, 'waitlist_size', s.waitlist_size,
    'seats_allocated', s.seats_allocated, 'waitlist_count', s.waitlist_count,
    'contact_persons', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
                   'id', c.id, 'organisation_id', c.organisation_id, 'organisation_name', o.name,
                   'name', c.name, 'role', c.role, 'email', c.email, 'phone', c.phone)
               ORDER BY sc.position)
        FROM session_contact_person sc
        JOIN contact_person c ON c.id = sc.contact_person_id
        JOIN organisation o ON o.id = c.organisation_id
        WHERE sc.session_id = s.id), '[]'::jsonb))
"""

_EVENTS = f"""
SELECT e.id, e.title, e.description, e.status, e.programme_id, e.venue_name, e.venue_address,
       e.starts_at, e.ends_at, e.registration_deadline, e.what_to_bring, e.retention_days,
       jsonb_build_object('enabled', e.reminder_enabled, 'days_before', e.reminder_days_before,
                          'local_time', to_char(e.reminder_local_time, 'HH24:MI')) AS reminder,
       COALESCE((
           SELECT jsonb_agg(jsonb_build_object('id', o.id, 'name', o.name, 'kind', o.kind, 'website', o.website,
                                               'controller', o.controller, 'privacy_notice_url', o.privacy_notice_url,
                                               'privacy_notice_version', o.privacy_notice_version,
                                               'privacy_notice_sha256', o.privacy_notice_sha256)
                            ORDER BY eo.position)
           FROM event_organiser eo JOIN organisation o ON o.id = eo.organisation_id
           WHERE eo.event_id = e.id), '[]'::jsonb) AS organisers,
       COALESCE((
           SELECT jsonb_agg({_SESSION_JSON} ORDER BY s.position)
           FROM session s WHERE s.event_id = e.id), '[]'::jsonb) AS sessions
FROM event e
WHERE ($1::uuid[] IS NULL OR e.id = ANY($1::uuid[]))
  AND ($2::text[] IS NULL OR e.status = ANY($2::text[]))
ORDER BY e.starts_at, e.id
"""


async def organisations(conn: asyncpg.Connection) -> list[Organisation]:
    rows = await conn.fetch(f"{_ORGANISATIONS} ORDER BY name, id")
    return [Organisation.model_validate(dict(row)) for row in rows]


async def organisation(conn: asyncpg.Connection, organisation_id: UUID) -> Organisation | None:
    row = await conn.fetchrow(f"{_ORGANISATIONS} WHERE id = $1", organisation_id)
    return Organisation.model_validate(dict(row)) if row else None


async def contact_persons(conn: asyncpg.Connection, ids: Sequence[UUID] | None = None) -> list[ContactPerson]:
    """All contact persons, or those with `ids`."""
    rows = await conn.fetch(
        f"{_CONTACT_PERSONS} WHERE $1::uuid[] IS NULL OR c.id = ANY($1::uuid[]) ORDER BY c.name, c.id", ids
    )
    return [ContactPerson.model_validate(dict(row)) for row in rows]


async def contact_person(conn: asyncpg.Connection, contact_person_id: UUID) -> ContactPerson | None:
    found = await contact_persons(conn, [contact_person_id])
    return found[0] if found else None


async def programmes(conn: asyncpg.Connection) -> list[Programme]:
    rows = await conn.fetch(f"{_PROGRAMMES} ORDER BY p.title, p.id")
    return [Programme.model_validate(dict(row)) for row in rows]


async def programme(conn: asyncpg.Connection, programme_id: UUID) -> Programme | None:
    row = await conn.fetchrow(f"{_PROGRAMMES} WHERE p.id = $1", programme_id)
    return Programme.model_validate(dict(row)) if row else None


async def events(
    conn: asyncpg.Connection,
    *,
    ids: Sequence[UUID] | None = None,
    statuses: Sequence[EventStatus] | None = None,
) -> list[StaffEvent]:
    """Events in start order, all of them or those with `ids` and/or in `statuses`."""
    rows = await conn.fetch(_EVENTS, ids, statuses)
    return [StaffEvent.model_validate(dict(row)) for row in rows]


async def event(conn: asyncpg.Connection, event_id: UUID) -> StaffEvent | None:
    found = await events(conn, ids=[event_id])
    return found[0] if found else None


async def session(conn: asyncpg.Connection, session_id: UUID) -> StaffSession | None:
    document = await conn.fetchval(f"SELECT {_SESSION_JSON} FROM session s WHERE s.id = $1", session_id)
    return StaffSession.model_validate(document) if document else None
