"""The seat ledger in PostgreSQL: the session row's counters are the truth, changed only by
conditional updates, and its CHECK constraints (`seats_allocated BETWEEN 0 AND capacity`) make
overselling impossible whatever runs concurrently.

Lock order, everywhere: the session row first, then allocations. Rejected requests leave no row
(their decision is the message; the inbox keeps redelivery from deciding twice).
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class SessionState:
    event_id: UUID
    event_status: str
    registration_deadline: datetime


async def session_state(conn: asyncpg.Connection, session_id: UUID) -> SessionState | None:
    row = await conn.fetchrow(
        """
        SELECT s.event_id, e.status AS event_status, e.registration_deadline
        FROM session s JOIN event e ON e.id = s.event_id WHERE s.id = $1
        """,
        session_id,
    )
    return SessionState(**row) if row else None


async def is_decided(conn: asyncpg.Connection, registration_id: UUID) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM seat_allocation WHERE registration_id = $1", registration_id))


async def take_seat(conn: asyncpg.Connection, session_id: UUID) -> bool:
    return bool(await conn.fetchval(
        """
        UPDATE session SET seats_allocated = seats_allocated + 1
        WHERE id = $1 AND seats_allocated < capacity RETURNING true
        """,
        session_id,
    ))


async def take_waitlist_place(conn: asyncpg.Connection, session_id: UUID) -> int | None:
    """The new place's sequence on the waiting list, or None when the list is full."""
    return await conn.fetchval(
        """
        UPDATE session SET waitlist_count = waitlist_count + 1, waitlist_last_sequence = waitlist_last_sequence + 1
        WHERE id = $1 AND waitlist_count < waitlist_size RETURNING waitlist_last_sequence
        """,
        session_id,
    )


async def record(conn: asyncpg.Connection, *, registration_id: UUID, session_id: UUID, event_id: UUID, state: str,
                 waitlist_sequence: int | None, requested_at: datetime) -> None:
    await conn.execute(
        """
        INSERT INTO seat_allocation (registration_id, session_id, event_id, state, waitlist_sequence, requested_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        """,
        registration_id, session_id, event_id, state, waitlist_sequence, requested_at,
    )


async def lock_session(conn: asyncpg.Connection, session_id: UUID) -> None:
    await conn.execute("SELECT 1 FROM session WHERE id = $1 FOR UPDATE", session_id)


async def allocation_session(conn: asyncpg.Connection, registration_id: UUID) -> UUID | None:
    return await conn.fetchval("SELECT session_id FROM seat_allocation WHERE registration_id = $1", registration_id)


async def release(conn: asyncpg.Connection, registration_id: UUID, session_id: UUID) -> str | None:
    """Release what the registration holds (the caller has locked the session): `seat`, `waitlist` or None."""
    state = await conn.fetchval(
        "SELECT state FROM seat_allocation WHERE registration_id = $1 FOR UPDATE", registration_id
    )
    if state not in ("allocated", "waitlisted"):
        return None
    await conn.execute(
        "UPDATE seat_allocation SET state = 'released', released_at = now() WHERE registration_id = $1",
        registration_id,
    )
    counter = "seats_allocated" if state == "allocated" else "waitlist_count"
    await conn.execute(f"UPDATE session SET {counter} = {counter} - 1 WHERE id = $1", session_id)
    return "seat" if state == "allocated" else "waitlist"


async def promote(conn: asyncpg.Connection, session_id: UUID) -> list[UUID]:
    """Move the head of the waiting list onto every free seat (the caller has locked the session);
    the promoted, in the waiting list's order."""
    rows = await conn.fetch(
        """
        WITH head AS (
            SELECT registration_id, waitlist_sequence FROM seat_allocation
            WHERE session_id = $1 AND state = 'waitlisted'
            ORDER BY waitlist_sequence
            LIMIT (SELECT greatest(capacity - seats_allocated, 0) FROM session WHERE id = $1)
            FOR UPDATE
        )
        UPDATE seat_allocation a SET state = 'allocated', promoted = true
        FROM head WHERE a.registration_id = head.registration_id
        RETURNING a.registration_id, head.waitlist_sequence
        """,
        session_id,
    )
    if rows:
        await conn.execute(
            """
            UPDATE session SET seats_allocated = seats_allocated + $2, waitlist_count = waitlist_count - $2
            WHERE id = $1
            """,
            session_id, len(rows),
        )
    return [row["registration_id"] for row in sorted(rows, key=lambda r: r["waitlist_sequence"])]
