"""A read model of the catalog's events, kept from their `EventSaved` snapshots on `catalog.catalog.v1`:
the tables, how a snapshot is stored and the queries on them. Generic: each service that keeps a local
copy creates the tables in its own migrations (`CATALOG_COPY_TABLES_V1`) and handles `EventSaved` in its
own handler table, with `save_events` or with a handler of its own that calls `save_event`.

Registration validates against it and notification renders from it, without calling the catalog.
Snapshots are stored whole (JSONB) with the columns that queries filter on; an older snapshot
never overwrites a newer one, whatever order redelivery brings. A change to a contact person or
organisation comes with new snapshots of the events that show them (a deleted person is gone from
those snapshots), so `EventSaved` is the only message the copy needs.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from cachetools import LRUCache

from .contracts.catalog import Event, EventSaved, EventStatus
from .contracts.envelope import Envelope
from .messaging.consumer import Received, one_by_one

# Parsed snapshots kept per process, by event id, with the time they were saved: a snapshot never changes
# once saved, and parsing one is the costly part of reading it (every email and every form page reads
# one). Bounded: the events of one season; an event read again after it was evicted is parsed again.
PARSED_EVENTS_KEPT = 256

CATALOG_COPY_TABLES_V1 = """
CREATE TABLE catalog_event (
    id uuid CONSTRAINT catalog_event_pkey PRIMARY KEY,
    status text NOT NULL,
    starts_at timestamptz NOT NULL,
    registration_deadline timestamptz NOT NULL,
    snapshot jsonb NOT NULL,
    saved_at timestamptz NOT NULL
);
CREATE TABLE catalog_session (
    id uuid CONSTRAINT catalog_session_pkey PRIMARY KEY,
    event_id uuid NOT NULL CONSTRAINT catalog_session_event_id_fkey REFERENCES catalog_event (id),
    position integer NOT NULL,
    snapshot jsonb NOT NULL
);
CREATE INDEX catalog_session_event_id_idx ON catalog_session (event_id);
"""


async def save_events(conn: asyncpg.Connection, messages: Sequence[Received[EventSaved]], _: Any) -> None:
    """Handler of `EventSaved` for a service that only keeps the copy: store each snapshot."""
    for message in one_by_one(messages):
        await save_event(conn, message.payload.event, message.envelope)


async def save_event(conn: asyncpg.Connection, event: Event, envelope: Envelope) -> None:
    applied = await conn.fetchval(
        """
        INSERT INTO catalog_event (id, status, starts_at, registration_deadline, snapshot, saved_at)
        VALUES ($1, $2, $3, $4, $5::text::jsonb, $6)
        ON CONFLICT ON CONSTRAINT catalog_event_pkey DO UPDATE
        SET status = EXCLUDED.status, starts_at = EXCLUDED.starts_at,
            registration_deadline = EXCLUDED.registration_deadline,
            snapshot = EXCLUDED.snapshot, saved_at = EXCLUDED.saved_at
        WHERE catalog_event.saved_at <= EXCLUDED.saved_at
        RETURNING true
        """,
        event.id, event.status.value, event.starts_at, event.registration_deadline,
        event.model_dump_json(), envelope.occurred_at,
    )
    if not applied:
        return  # a newer snapshot is already here
    session_ids = [session.id for session in event.sessions]
    await conn.execute(
        "DELETE FROM catalog_session WHERE event_id = $1 AND NOT (id = ANY($2::uuid[]))", event.id, session_ids
    )
    await conn.executemany(
        """
        INSERT INTO catalog_session (id, event_id, position, snapshot) VALUES ($1, $2, $3, $4::text::jsonb)
        ON CONFLICT ON CONSTRAINT catalog_session_pkey DO UPDATE
        SET event_id = EXCLUDED.event_id, position = EXCLUDED.position, snapshot = EXCLUDED.snapshot
        """,
        [(s.id, event.id, s.position, s.model_dump_json()) for s in event.sessions],
    )


async def published_events(conn: asyncpg.Connection | asyncpg.Pool) -> list[Event]:
    """Events open to the public (published or closed), soonest first."""
    rows = await conn.fetch(
        "SELECT snapshot::text AS snapshot FROM catalog_event WHERE status IN ('published', 'closed') ORDER BY starts_at"
    )
    return [Event.model_validate_json(row["snapshot"]) for row in rows]


_parsed: LRUCache[UUID, tuple[datetime, Event]] = LRUCache(maxsize=PARSED_EVENTS_KEPT)


async def get_event(conn: asyncpg.Connection | asyncpg.Pool, event_id: UUID) -> Event | None:
    cached = _parsed.get(event_id)
    row = await conn.fetchrow(
        """
        SELECT saved_at, CASE WHEN saved_at = $2 THEN NULL ELSE snapshot::text END AS snapshot
        FROM catalog_event WHERE id = $1
        """,
        event_id, cached[0] if cached else None,
    )
    if row is None:
        return None
    if row["snapshot"] is None and cached is not None:
        return cached[1]
    event = Event.model_validate_json(row["snapshot"])
    _parsed[event_id] = (row["saved_at"], event)
    return event


@dataclass(frozen=True)
class RegistrationRules:
    """What a registration is checked against, read without parsing the snapshot (the hot path)."""

    status: EventStatus
    registration_deadline: datetime
    has_session: bool


async def registration_rules(conn: asyncpg.Connection, event_id: UUID, session_id: UUID) -> RegistrationRules | None:
    row = await conn.fetchrow(
        """
        SELECT e.status, e.registration_deadline,
               EXISTS (SELECT 1 FROM catalog_session s WHERE s.id = $2 AND s.event_id = e.id) AS has_session
        FROM catalog_event e WHERE e.id = $1
        """,
        event_id, session_id,
    )
    return RegistrationRules(EventStatus(row["status"]), row["registration_deadline"], row["has_session"]) if row else None


async def event_organisers(conn: asyncpg.Connection | asyncpg.Pool, event_id: UUID) -> list[UUID] | None:
    """The ids of the organisations organising the event (who may manage it); None if it is unknown here."""
    event = await get_event(conn, event_id)
    return None if event is None else [organiser.id for organiser in event.organisers]
