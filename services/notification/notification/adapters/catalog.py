"""Queries on the local copy of the catalog (`treffpunkt_shared.catalog_copy` keeps it) that only this
service needs."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.catalog import Event, EventStatus, ReminderSchedule, Session

from ..domain.model import session_of


@dataclass(frozen=True)
class StoredEvent:
    event: Event
    saved_at: datetime


async def event_for_update(conn: asyncpg.Connection, event_id: UUID) -> StoredEvent | None:
    """The stored snapshot, locked until the caller's transaction ends, so that the snapshot compared
    with a new one stays the one the new one replaces."""
    row = await conn.fetchrow(
        "SELECT snapshot::text AS snapshot, saved_at FROM catalog_event WHERE id = $1 FOR UPDATE", event_id
    )
    return StoredEvent(Event.model_validate_json(row["snapshot"]), row["saved_at"]) if row else None


@dataclass(frozen=True)
class EventReminder:
    event_id: UUID
    starts_at: datetime
    schedule: ReminderSchedule


async def reminders_of_events_starting(conn: asyncpg.Connection | asyncpg.Pool, statuses: Sequence[EventStatus], *,
                                       after: datetime, until: datetime) -> list[EventReminder]:
    """The reminder schedules of the events in `statuses` that start in (`after`, `until`]: only the
    schedule is parsed, not the whole snapshot (this runs every few seconds)."""
    rows = await conn.fetch(
        """
        SELECT id, starts_at, snapshot->'reminder' AS reminder FROM catalog_event
        WHERE status = ANY($1::text[]) AND starts_at > $2 AND starts_at <= $3
        ORDER BY starts_at, id
        """,
        list(statuses), after, until,
    )
    # A snapshot from before reminders existed has none: it gets the default, as the contract says.
    return [EventReminder(row["id"], row["starts_at"], ReminderSchedule.model_validate(row["reminder"] or {}))
            for row in rows]


def _lists_contact(contact_person_id: UUID) -> str:
    """A JSON document that a session snapshot listing the person contains (for `@>`)."""
    return json.dumps({"contact_persons": [{"id": str(contact_person_id)}]})


async def sessions_of_contact_person(conn: asyncpg.Connection, contact_person_id: UUID,
                                     not_ended_before: datetime) -> list[tuple[Event, Session]]:
    """The sessions that list the person, of events that are on (published or closed) and not over."""
    rows = await conn.fetch(
        """
        SELECT e.snapshot::text AS event, s.id AS session_id
        FROM catalog_session s JOIN catalog_event e ON e.id = s.event_id
        WHERE s.snapshot @> $1::text::jsonb
          AND e.status IN ('published', 'closed')
          AND (e.snapshot->>'ends_at')::timestamptz >= $2
        ORDER BY e.starts_at, s.position
        """,
        _lists_contact(contact_person_id), not_ended_before,
    )
    found = []
    for row in rows:
        event = Event.model_validate_json(row["event"])
        found.append((event, session_of(event, row["session_id"])))
    return found


async def contact_person_known(conn: asyncpg.Connection | asyncpg.Pool, contact_person_id: UUID) -> bool:
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM catalog_session WHERE snapshot @> $1::text::jsonb)",
        _lists_contact(contact_person_id),
    ))


async def contact_person_organisation(conn: asyncpg.Connection | asyncpg.Pool, contact_person_id: UUID) -> UUID | None:
    """The organisation of the contact person, as the sessions that list them show it; None if none does."""
    return await conn.fetchval(
        """
        SELECT (person->>'organisation_id')::uuid
        FROM catalog_session s, jsonb_array_elements(s.snapshot->'contact_persons') person
        WHERE s.snapshot @> $1::text::jsonb AND person->>'id' = $2
        LIMIT 1
        """,
        _lists_contact(contact_person_id), str(contact_person_id),
    )
