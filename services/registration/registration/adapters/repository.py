"""Registrations in PostgreSQL (explicit SQL), read as `domain.model.Registration`."""

from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.messaging.outbox import InStatement

from ..domain.model import Registration, Status

COLUMNS = """
    id, event_id, session_id, status, first_name, last_name, email, organisation, phone, remarks,
    language, rejection_reason, waitlist_sequence, cancelled_by, created_at, decided_at, cancelled_at
"""


async def insert(conn: asyncpg.Connection | asyncpg.Pool, *, id: UUID, event_id: UUID, session_id: UUID,
                 first_name: str, last_name: str, email: str, email_normalised: str, organisation: str,
                 phone: str | None, remarks: str | None, language: str, now: datetime,
                 idempotency_key: str | None, request_hash: str | None,
                 request: InStatement) -> Registration | None:
    """The registration, its idempotency key and the message asking the catalog for a seat (`request`,
    its parameters from $15, for each row of `inserted`), in one statement: atomic without a transaction,
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
                                      organisation, phone, remarks, language, consent_at, created_at, updated_at)
            SELECT $1::uuid, $2::uuid, $3::uuid, 'pending', $4::text, $5::text, $6::text, $7::text, $8::text,
                   $9::text, $10::text, $11::text, $12::timestamptz, $12::timestamptz, $12::timestamptz
            WHERE $13::text IS NULL OR EXISTS (SELECT FROM idempotency)
            RETURNING {COLUMNS}
        ), {request.cte}
        SELECT inserted.* FROM inserted, {request.wake}
        """,
        id, event_id, session_id, first_name, last_name, email, email_normalised, organisation, phone, remarks,
        language, now, idempotency_key, request_hash, *request.parameters,
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


async def listing(conn: asyncpg.Connection | asyncpg.Pool, *, event_id: UUID, session_id: UUID | None,
                  status: Status | None) -> list[Registration]:
    rows = await conn.fetch(
        f"""
        SELECT {COLUMNS} FROM registration
        WHERE event_id = $1 AND ($2::uuid IS NULL OR session_id = $2) AND ($3::text IS NULL OR status = $3)
        ORDER BY session_id, created_at
        """,
        event_id, session_id, status.value if status else None,
    )
    return [_registration(row) for row in rows]


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


def _registration(row: asyncpg.Record | None) -> Registration | None:
    if row is None:
        return None
    return Registration(**{name: row[name] for name in _FIELDS} | {"status": Status(row["status"])})


_FIELDS = [name.strip() for name in COLUMNS.split(",")]
