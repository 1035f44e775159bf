"""Registrations in PostgreSQL (explicit SQL)."""

from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.envelope import Envelope, EventPayload
from treffpunkt_shared.messaging.schema import OUTBOX_CHANNEL
from treffpunkt_shared.tracing import trace_headers

from ..domain.model import Status

# An outbox_message row as `treffpunkt_shared.messaging.outbox.enqueue` writes it: event_id, topic,
# message_key, event_type, body (JSON text), headers (the trace context).
OutboxRow = tuple[UUID, str, str, str, str, dict[str, str]]

COLUMNS = """
    id, event_id, session_id, status, first_name, last_name, email, organisation, phone, remarks,
    language, rejection_reason, waitlist_sequence, cancelled_by, created_at, decided_at, cancelled_at
"""


async def insert(conn: asyncpg.Connection | asyncpg.Pool, *, id: UUID, event_id: UUID, session_id: UUID,
                 first_name: str, last_name: str, email: str, email_normalised: str, organisation: str,
                 phone: str | None, remarks: str | None, language: str, now: datetime,
                 idempotency_key: str | None, request_hash: str | None, request: OutboxRow) -> asyncpg.Record | None:
    """The registration, its idempotency key and the message asking the catalog for a seat, in one
    statement: atomic without a transaction, and one round trip. None if the key is taken: by an
    earlier request with it, or by one racing this (the key's unique index lets this wait until that
    commits, or proceed if it rolls back)."""
    return await conn.fetchrow(
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
        ), requested AS (
            INSERT INTO outbox_message (event_id, topic, message_key, event_type, body, headers)
            SELECT $15::uuid, $16::text, $17::text, $18::text, $19::text::jsonb, $20::jsonb FROM inserted
        )
        SELECT inserted.* FROM inserted, pg_notify($21, '')
        """,
        id, event_id, session_id, first_name, last_name, email, email_normalised, organisation, phone, remarks,
        language, now, idempotency_key, request_hash, *request, OUTBOX_CHANNEL,
    )


async def get(conn: asyncpg.Connection | asyncpg.Pool, registration_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {COLUMNS} FROM registration WHERE id = $1{lock}", registration_id)


async def set_decided(conn: asyncpg.Connection, registration_id: UUID, status: Status, *,
                      reason: str | None = None, waitlist_sequence: int | None = None) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""
        UPDATE registration
        SET status = $2, rejection_reason = $3, waitlist_sequence = $4, decided_at = now(), updated_at = now()
        WHERE id = $1 RETURNING {COLUMNS}
        """,
        registration_id, status.value, reason, waitlist_sequence,
    )


async def set_cancelled(conn: asyncpg.Connection, registration_id: UUID, cancelled_by: str) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""
        UPDATE registration
        SET status = 'cancelled', cancelled_by = $2, cancelled_at = now(), updated_at = now()
        WHERE id = $1 RETURNING {COLUMNS}
        """,
        registration_id, cancelled_by,
    )


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
                  status: Status | None) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""
        SELECT {COLUMNS} FROM registration
        WHERE event_id = $1 AND ($2::uuid IS NULL OR session_id = $2) AND ($3::text IS NULL OR status = $3)
        ORDER BY session_id, created_at
        """,
        event_id, session_id, status.value if status else None,
    )


async def find_by_idempotency_key(conn: asyncpg.Connection | asyncpg.Pool, key: str) -> asyncpg.Record | None:
    """The registration that the first request with `key` made, with that request's hash."""
    return await conn.fetchrow(
        f"""
        WITH earlier AS (SELECT request_hash, registration_id FROM idempotency_key WHERE key = $1)
        SELECT request_hash, {COLUMNS} FROM earlier JOIN registration ON id = registration_id
        """,
        key,
    )


def outbox_row(payload: EventPayload, *, producer: str, correlation_id: str) -> OutboxRow:
    envelope = Envelope.wrap(payload, producer=producer, correlation_id=correlation_id)
    return (envelope.event_id, payload.topic, payload.message_key(), payload.event_type, envelope.model_dump_json(),
            trace_headers(correlation_id))
