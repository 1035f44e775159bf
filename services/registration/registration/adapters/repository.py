"""Registrations in PostgreSQL (explicit SQL)."""

from datetime import datetime
from uuid import UUID

import asyncpg

from ..domain.model import Status

COLUMNS = """
    id, event_id, session_id, status, first_name, last_name, email, organisation, phone, remarks,
    language, rejection_reason, waitlist_sequence, cancelled_by, created_at, decided_at, cancelled_at
"""


async def insert(conn: asyncpg.Connection, *, id: UUID, event_id: UUID, session_id: UUID, first_name: str,
                 last_name: str, email: str, email_normalised: str, organisation: str, phone: str | None,
                 remarks: str | None, language: str, now: datetime) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""
        INSERT INTO registration (id, event_id, session_id, status, first_name, last_name, email, email_normalised,
                                  organisation, phone, remarks, language, consent_at, created_at, updated_at)
        VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12)
        RETURNING {COLUMNS}
        """,
        id, event_id, session_id, first_name, last_name, email, email_normalised, organisation, phone, remarks,
        language, now,
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


async def find_idempotency_key(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT request_hash, registration_id FROM idempotency_key WHERE key = $1", key)


async def insert_idempotency_key(conn: asyncpg.Connection, key: str, request_hash: str, registration_id: UUID) -> None:
    await conn.execute(
        "INSERT INTO idempotency_key (key, request_hash, registration_id) VALUES ($1, $2, $3)",
        key, request_hash, registration_id,
    )
