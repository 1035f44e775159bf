"""Registrations in PostgreSQL (explicit SQL), read as `domain.model.Registration`."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.catalog import DEFAULT_RETENTION_DAYS
from treffpunkt_shared.local_time import BERLIN
from treffpunkt_shared.messaging.outbox import InStatement

from ..domain.model import Consent, Registration, Status

COLUMNS = """
    id, event_id, session_id, status, first_name, last_name, email, organisation, phone, remarks,
    language, rejection_reason, waitlist_sequence, cancelled_by, created_at, decided_at, cancelled_at,
    consent_at, consent_notice_url, consent_notice_version, consent_notice_sha256, consent_controller,
    erased_at, erased_because
"""


async def insert(conn: asyncpg.Connection | asyncpg.Pool, *, id: UUID, event_id: UUID, session_id: UUID,
                 first_name: str, last_name: str, email: str, email_normalised: str, organisation: str,
                 phone: str | None, remarks: str | None, language: str, now: datetime,
                 idempotency_key: str | None, request_hash: str | None, consent: Consent,
                 request: InStatement) -> Registration | None:
    """The registration with its consent record, its idempotency key and the message asking the catalog for a
    seat (`request`, its parameters from $19, for each row of `inserted`), in one statement: atomic without a transaction,
    and one round trip. None if the key is taken: by an earlier request with it, or by one racing this
    (the key's unique index lets this wait until that commits, or proceed if it rolls back)."""
    return _registration(await conn.fetchrow(
        f"""
        WITH idempotency AS (
            INSERT INTO idempotency_key (key, request_hash, registration_id)
            SELECT $13, $14, $1::uuid WHERE $13::text IS NOT NULL
            ON CONFLICT ON CONSTRAINT idempotency_key_pkey DO NOTHING
            RETURNING key
        ), inserted AS (
            INSERT INTO registration (id, event_id, session_id, status, first_name, last_name, email, email_normalised,
                                      organisation, phone, remarks, language, consent_at, created_at, updated_at,
                                      consent_notice_url, consent_notice_version, consent_notice_sha256,
                                      consent_controller)
            SELECT $1::uuid, $2::uuid, $3::uuid, 'pending', $4::text, $5::text, $6::text, $7::text, $8::text,
                   $9::text, $10::text, $11::text, $12::timestamptz, $12::timestamptz, $12::timestamptz,
                   $15::text, $16::text, $17::text, $18::text
            WHERE $13::text IS NULL OR EXISTS (SELECT FROM idempotency)
            RETURNING {COLUMNS}
        ), {request.cte}
        SELECT inserted.* FROM inserted, {request.wake}
        """,
        id, event_id, session_id, first_name, last_name, email, email_normalised, organisation, phone, remarks,
        language, now, idempotency_key, request_hash, consent.notice_url, consent.notice_version,
        consent.notice_sha256, consent.controller, *request.parameters,
    ))


async def get(conn: asyncpg.Connection | asyncpg.Pool, registration_id: UUID, *,
              for_update: bool = False) -> Registration | None:
    lock = " FOR UPDATE" if for_update else ""
    return _registration(await conn.fetchrow(f"SELECT {COLUMNS} FROM registration WHERE id = $1{lock}",
                                             registration_id))


async def find_active(conn: asyncpg.Connection | asyncpg.Pool, event_id: UUID, email_normalised: str) -> Registration | None:
    """The person's active registration for the event (there is at most one: the unique index)."""
    return _registration(await conn.fetchrow(
        f"""
        SELECT {COLUMNS} FROM registration
        WHERE event_id = $1 AND email_normalised = $2 AND status IN ('pending', 'confirmed', 'waitlisted')
        """,
        event_id, email_normalised,
    ))


async def set_decided(conn: asyncpg.Connection, registration_id: UUID, status: Status, *,
                      reason: str | None = None, waitlist_sequence: int | None = None) -> Registration:
    return _registration(await conn.fetchrow(
        f"""
        UPDATE registration
        SET status = $2, rejection_reason = $3, waitlist_sequence = $4, decided_at = now(), updated_at = now()
        WHERE id = $1 RETURNING {COLUMNS}
        """,
        registration_id, status.value, reason, waitlist_sequence,
    ))


async def set_cancelled(conn: asyncpg.Connection, registration_id: UUID, cancelled_by: str) -> Registration:
    return _registration(await conn.fetchrow(
        f"""
        UPDATE registration
        SET status = 'cancelled', cancelled_by = $2, cancelled_at = now(), updated_at = now()
        WHERE id = $1 RETURNING {COLUMNS}
        """,
        registration_id, cancelled_by,
    ))


async def waitlist_position(conn: asyncpg.Connection | asyncpg.Pool, session_id: UUID, sequence: int) -> int:
    """The catalog's waiting list, mirrored: everyone still waiting who came earlier, plus one."""
    return await conn.fetchval(
        """
        SELECT count(*) FROM registration
        WHERE session_id = $1 AND status = 'waitlisted' AND waitlist_sequence <= $2
        """,
        session_id, sequence,
    )


async def session_counts(conn: asyncpg.Connection | asyncpg.Pool, event_id: UUID) -> dict[UUID, dict[str, int]]:
    rows = await conn.fetch(
        """
        SELECT session_id, count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
               count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
        FROM registration WHERE event_id = $1 GROUP BY session_id
        """,
        event_id,
    )
    return {r["session_id"]: {"confirmed": r["confirmed"], "waitlisted": r["waitlisted"]} for r in rows}


class Sort(StrEnum):
    """How a participant list is ordered (a leading `-`: descending)."""

    created_at = "created_at"
    created_at_descending = "-created_at"
    last_name = "last_name"
    last_name_descending = "-last_name"
    status = "status"
    session = "session"


# Each sort ends on the registration's time and id: the same query lists the same rows in the same order (the
# page and its export). By status, the waiting list is in its order (`waitlist_sequence`).
_ORDER = {
    Sort.created_at: "r.created_at, r.id",
    Sort.created_at_descending: "r.created_at DESC, r.id DESC",
    Sort.last_name: "lower(r.last_name), lower(r.first_name), r.created_at, r.id",
    Sort.last_name_descending: "lower(r.last_name) DESC, lower(r.first_name) DESC, r.created_at, r.id",
    Sort.status: "array_position(ARRAY['confirmed', 'waitlisted', 'pending', 'rejected', 'cancelled'], r.status), "
                 "r.waitlist_sequence, r.created_at, r.id",
    Sort.session: "s.position NULLS LAST, r.session_id, r.created_at, r.id",
}


@dataclass(frozen=True)
class Listing:
    """Which registrations of an event a participant list shows, and in which order. `session_ids`: those the
    principal may see (None: all); the other fields are the list's filters (None or empty: any)."""

    event_id: UUID
    session_ids: frozenset[UUID] | None = None
    session_id: UUID | None = None
    statuses: tuple[Status, ...] = ()
    organisation: str | None = None
    search: str | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    sort: Sort = Sort.session


async def listing(conn: asyncpg.Connection | asyncpg.Pool,
                  query: Listing) -> list[tuple[Registration, int | None]]:
    """The registrations `query` asks for, each with its waiting-list position while waitlisted. Substrings
    are found with `strpos` on lower case (no LIKE: nothing a person types is a wildcard); dates are days
    in Berlin (the time of the people who filter), `registered_to` included."""
    rows = await conn.fetch(
        f"""
        SELECT {_PREFIXED},
               CASE WHEN r.status = 'waitlisted' THEN (
                   SELECT count(*) FROM registration w
                   WHERE w.session_id = r.session_id AND w.status = 'waitlisted'
                     AND w.waitlist_sequence <= r.waitlist_sequence) END AS waitlist_position
        FROM registration r LEFT JOIN catalog_session s ON s.id = r.session_id
        WHERE r.event_id = $1
          AND r.erased_at IS NULL  -- an erased registration counts in the statistics, and is in no list of people
          AND ($2::uuid[] IS NULL OR r.session_id = ANY($2))
          AND ($3::uuid IS NULL OR r.session_id = $3)
          AND (cardinality($4::text[]) = 0 OR r.status = ANY($4))
          AND ($5::text IS NULL OR strpos(lower(r.organisation), lower($5)) > 0)
          AND ($6::text IS NULL OR strpos(lower(concat_ws(' ', r.first_name, r.last_name, r.email, r.organisation)),
                                          lower($6)) > 0)
          AND ($7::date IS NULL OR r.created_at >= $7::date::timestamp AT TIME ZONE '{BERLIN.key}')
          AND ($8::date IS NULL OR r.created_at < ($8::date + 1)::timestamp AT TIME ZONE '{BERLIN.key}')
        ORDER BY {_ORDER[query.sort]}
        """,
        query.event_id, list(query.session_ids) if query.session_ids is not None else None, query.session_id,
        [status.value for status in query.statuses], query.organisation, query.search, query.registered_from,
        query.registered_to,
    )
    return [(_registration(row), row["waitlist_position"]) for row in rows]


async def find_by_idempotency_key(conn: asyncpg.Connection | asyncpg.Pool,
                                  key: str) -> tuple[str, Registration] | None:
    """The registration that the first request with `key` made, with that request's hash."""
    row = await conn.fetchrow(
        f"""
        WITH earlier AS (SELECT request_hash, registration_id FROM idempotency_key WHERE key = $1)
        SELECT request_hash, {COLUMNS} FROM earlier JOIN registration ON id = registration_id
        """,
        key,
    )
    return (row["request_hash"], _registration(row)) if row is not None else None


async def status_history(conn: asyncpg.Connection | asyncpg.Pool, registration_id: UUID) -> list[tuple[str, datetime]]:
    """Each status the registration had, with when, oldest first."""
    rows = await conn.fetch(
        "SELECT status, changed_at FROM registration_status_change WHERE registration_id = $1 ORDER BY id",
        registration_id,
    )
    return [(row["status"], row["changed_at"]) for row in rows]


@dataclass(frozen=True)
class Move:
    from_session_id: UUID
    to_session_id: UUID
    state: str  # moving, moved, refused
    refusal: str | None
    requested_at: datetime
    decided_at: datetime | None


_MOVE = "from_session_id, to_session_id, state, refusal, requested_at, decided_at"


async def add_move(conn: asyncpg.Connection, registration_id: UUID, from_session_id: UUID, to_session_id: UUID,
                   now: datetime) -> int | None:
    """A move asked for; None while another is still waiting for the seat ledger (one at a time)."""
    return await conn.fetchval(
        """
        INSERT INTO registration_move (registration_id, from_session_id, to_session_id, requested_at)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (registration_id) WHERE state = 'moving' DO NOTHING RETURNING id
        """,
        registration_id, from_session_id, to_session_id, now,
    )


async def get_move(conn: asyncpg.Connection | asyncpg.Pool, move_id: int) -> Move | None:
    row = await conn.fetchrow(f"SELECT {_MOVE} FROM registration_move WHERE id = $1", move_id)
    return Move(**row) if row else None


async def moves(conn: asyncpg.Connection | asyncpg.Pool, registration_id: UUID) -> list[Move]:
    rows = await conn.fetch(f"SELECT {_MOVE} FROM registration_move WHERE registration_id = $1 ORDER BY id",
                            registration_id)
    return [Move(**row) for row in rows]


async def decide_move(conn: asyncpg.Connection, registration_id: UUID, to_session_id: UUID,
                      refusal: str | None) -> bool:
    """The seat ledger's answer to the registration's pending move to `to_session_id`; False if there is none
    (a repeated answer)."""
    return await conn.fetchval(
        """
        UPDATE registration_move SET state = CASE WHEN $3::text IS NULL THEN 'moved' ELSE 'refused' END,
                                     refusal = $3, decided_at = now()
        WHERE registration_id = $1 AND to_session_id = $2 AND state = 'moving' RETURNING true
        """,
        registration_id, to_session_id, refusal,
    ) or False


async def set_session(conn: asyncpg.Connection, registration_id: UUID, session_id: UUID) -> Registration:
    return _registration(await conn.fetchrow(
        f"UPDATE registration SET session_id = $2, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}",
        registration_id, session_id,
    ))


async def erase(conn: asyncpg.Connection, registration_id: UUID, because: str, now: datetime) -> Registration:
    """Empty every personal column and forget its keys and emails; ids, status, times, the status history and
    the consent record (no personal data) stay."""
    await conn.execute("DELETE FROM idempotency_key WHERE registration_id = $1", registration_id)
    await conn.execute("DELETE FROM registration_email WHERE registration_id = $1", registration_id)
    return _registration(await conn.fetchrow(
        f"""
        UPDATE registration
        SET first_name = NULL, last_name = NULL, email = NULL, email_normalised = NULL, organisation = NULL,
            phone = NULL, remarks = NULL, erased_at = $3, erased_because = $2, updated_at = $3
        WHERE id = $1 RETURNING {COLUMNS}
        """,
        registration_id, because, now,
    ))


async def due_for_erasure(conn: asyncpg.Connection | asyncpg.Pool, now: datetime, limit: int) -> list[UUID]:
    """Registrations not erased yet whose event ended more than its retention period before `now`."""
    rows = await conn.fetch(
        """
        SELECT r.id FROM registration r JOIN catalog_event e ON e.id = r.event_id
        WHERE r.erased_at IS NULL
          AND (e.snapshot->>'ends_at')::timestamptz
              + make_interval(days => COALESCE((e.snapshot->>'retention_days')::int, $3)) <= $1
        ORDER BY r.created_at LIMIT $2
        """,
        now, limit, DEFAULT_RETENTION_DAYS,
    )
    return [row["id"] for row in rows]


async def ids_of_address(conn: asyncpg.Connection | asyncpg.Pool, email_normalised: str) -> list[UUID]:
    rows = await conn.fetch(
        "SELECT id FROM registration WHERE email_normalised = $1 AND erased_at IS NULL ORDER BY created_at",
        email_normalised,
    )
    return [row["id"] for row in rows]


def _registration(row: asyncpg.Record | None) -> Registration | None:
    if row is None:
        return None
    return Registration(**{name: row[name] for name in _FIELDS} | {"status": Status(row["status"])})


_FIELDS = [name.strip() for name in COLUMNS.split(",")]
_PREFIXED = ", ".join(f"r.{name}" for name in _FIELDS)
