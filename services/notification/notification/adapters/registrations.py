"""The registrations this service has heard of, in PostgreSQL: whom to tell when an event changes,
what their emails need, and the fill levels of the daily digests."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import Language, Registration

from ..domain.model import STILL_REGISTERED, Registrant, RegistrationStatus


@dataclass(frozen=True)
class KnownRegistration:
    id: UUID
    event_id: UUID
    session_id: UUID
    status: RegistrationStatus
    first_name: str
    last_name: str
    organisation: str
    email: str
    language: Language
    status_url: str
    cancel_url: str
    data_url: str | None = None  # "my data"; none for a registration heard of before there was one

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def registrant(self) -> Registrant:
        return Registrant(self.id, self.event_id, self.email, self.name, self.language)


@dataclass(frozen=True)
class FillLevel:
    confirmed: int
    waitlisted: int


_COLUMNS = ("id, event_id, session_id, status, first_name, last_name, organisation, email, language, "
            "status_url, cancel_url, data_url")


def _known(row: asyncpg.Record) -> KnownRegistration:
    return KnownRegistration(**{**row, "status": RegistrationStatus(row["status"]), "language": Language(row["language"])})


async def save_many(conn: asyncpg.Connection,
                    states: Sequence[tuple[Registration, RegistrationStatus, datetime, int | None]]) -> None:
    """Store each registration's latest state (registration, status, when it came about, waiting-list
    position), in order; a message older than what is stored changes nothing."""
    await conn.executemany(
        """
        INSERT INTO registration (id, event_id, session_id, status, waitlist_position, first_name, last_name,
                                  organisation, email, language, status_url, cancel_url, updated_at, data_url)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        ON CONFLICT ON CONSTRAINT registration_pkey DO UPDATE
        SET event_id = EXCLUDED.event_id, session_id = EXCLUDED.session_id, status = EXCLUDED.status,
            waitlist_position = EXCLUDED.waitlist_position, first_name = EXCLUDED.first_name,
            last_name = EXCLUDED.last_name, organisation = EXCLUDED.organisation, email = EXCLUDED.email,
            language = EXCLUDED.language, status_url = EXCLUDED.status_url, cancel_url = EXCLUDED.cancel_url,
            data_url = EXCLUDED.data_url, updated_at = EXCLUDED.updated_at
        WHERE registration.updated_at <= EXCLUDED.updated_at
        """,
        [(r.registration_id, r.event_id, r.session_id, status, waitlist_position, r.participant.first_name,
          r.participant.last_name, r.participant.organisation, r.participant.email, r.participant.language,
          r.status_url, r.cancel_url, occurred_at, r.data_url)
         for r, status, occurred_at, waitlist_position in states],
    )


async def next_calendar_sequences(conn: asyncpg.Connection, registration_ids: Sequence[UUID]) -> dict[UUID, list[int]]:
    """The SEQUENCE for each of the next calendar files of each registration (one per time it is named,
    in order): 0 for the first ever, then counting up, so that calendars apply a later file over an earlier one."""
    if not registration_ids:
        return {}
    counts = Counter(registration_ids)
    rows = await conn.fetch(
        """
        UPDATE registration r SET calendar_sequence = COALESCE(r.calendar_sequence, -1) + c.n
        FROM unnest($1::uuid[], $2::int[]) AS c(id, n) WHERE r.id = c.id
        RETURNING r.id, r.calendar_sequence
        """,
        list(counts), list(counts.values()),
    )
    return {row["id"]: list(range(row["calendar_sequence"] - counts[row["id"]] + 1, row["calendar_sequence"] + 1))
            for row in rows}


async def still_registered(conn: asyncpg.Connection, event_id: UUID) -> list[KnownRegistration]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM registration WHERE event_id = $1 AND status = ANY($2::text[]) ORDER BY id",
        event_id, list(STILL_REGISTERED),
    )
    return [_known(row) for row in rows]


async def to_remind(conn: asyncpg.Connection, event_id: UUID, *, confirmed_by: datetime) -> list[KnownRegistration]:
    """The event's registrations that were confirmed by `confirmed_by` and still are, without a reminder
    yet; locked until the caller's transaction ends, so that a cancellation handled meanwhile comes after
    the reminder is queued. One that the consumer is changing right now is left for the next round
    (SKIP LOCKED: neither waits for the other, and then it is seen as it has become)."""
    rows = await conn.fetch(
        f"""
        SELECT {_COLUMNS} FROM registration r
        WHERE event_id = $1 AND status = 'confirmed' AND updated_at <= $2
          AND NOT EXISTS (SELECT 1 FROM email e WHERE e.registration_id = r.id AND e.kind = $3)
        ORDER BY id FOR UPDATE SKIP LOCKED
        """,
        event_id, confirmed_by, EmailKind.reminder,
    )
    return [_known(row) for row in rows]


async def get(conn: asyncpg.Connection, registration_id: UUID) -> KnownRegistration | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM registration WHERE id = $1", registration_id)
    return _known(row) if row else None


async def get_many(conn: asyncpg.Connection, registration_ids: Sequence[UUID]) -> dict[UUID, KnownRegistration]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM registration WHERE id = ANY($1::uuid[])", list(registration_ids))
    return {row["id"]: _known(row) for row in rows}


async def fill_levels(conn: asyncpg.Connection, session_ids: Sequence[UUID]) -> dict[UUID, FillLevel]:
    rows = await conn.fetch(
        """
        SELECT session_id,
               count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
               count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
        FROM registration WHERE session_id = ANY($1::uuid[]) GROUP BY session_id
        """,
        list(session_ids),
    )
    levels = {row["session_id"]: FillLevel(row["confirmed"], row["waitlisted"]) for row in rows}
    return {session_id: levels.get(session_id, FillLevel(0, 0)) for session_id in session_ids}
