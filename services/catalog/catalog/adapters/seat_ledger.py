"""The seat ledger in PostgreSQL: the session row's counters are the truth, changed only by
conditional updates, and its CHECK constraints (`seats_allocated BETWEEN 0 AND capacity`) make
overselling impossible whatever runs concurrently.

Lock order, everywhere: the session row first, then allocations. Rejected requests leave no row
(their decision is the message; the inbox keeps redelivery from deciding twice).

Requests are decided a batch at a time: the batch's sessions are locked and read once, the
decisions made in memory in the requests' order, and the counters and allocations written back
in one statement, so a batch costs a few statements whatever its size.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from ..domain.seats import Allotment


@dataclass(frozen=True)
class LockedSession:
    """A session locked for deciding requests: its event's state and what it has left to give."""

    event_id: UUID
    event_status: str
    registration_deadline: datetime
    allotment: Allotment


@dataclass(frozen=True)
class Allocation:
    """A request that got a seat (`allocated`) or a place on the waiting list (`waitlisted`)."""

    registration_id: UUID
    session_id: UUID
    event_id: UUID
    state: str
    waitlist_sequence: int | None
    requested_at: datetime


async def lock_sessions(conn: asyncpg.Connection, session_ids: Iterable[UUID]) -> dict[UUID, LockedSession]:
    """Lock the sessions (in id order, so that concurrent batches cannot deadlock) until the transaction
    ends, and read their counters; sessions that do not exist are missing from the answer."""
    rows = await conn.fetch(
        """
        SELECT s.id, s.event_id, e.status AS event_status, e.registration_deadline, s.capacity, s.waitlist_size,
               s.seats_allocated, s.waitlist_count, s.waitlist_last_sequence
        FROM session s JOIN event e ON e.id = s.event_id
        WHERE s.id = ANY($1::uuid[])
        ORDER BY s.id
        FOR UPDATE OF s
        """,
        list(session_ids),
    )
    return {
        row["id"]: LockedSession(
            event_id=row["event_id"], event_status=row["event_status"],
            registration_deadline=row["registration_deadline"],
            allotment=Allotment(capacity=row["capacity"], waitlist_size=row["waitlist_size"],
                                seats_allocated=row["seats_allocated"], waitlist_count=row["waitlist_count"],
                                waitlist_last_sequence=row["waitlist_last_sequence"]),
        )
        for row in rows
    }


@dataclass(frozen=True)
class Held:
    """What a registration holds or held: `allocated`, `waitlisted` or `released`."""

    state: str
    waitlist_sequence: int | None


async def decided(conn: asyncpg.Connection, registration_ids: Iterable[UUID]) -> dict[UUID, Held]:
    """Those of `registration_ids` that hold (or held) a seat or a waiting-list place, with what."""
    rows = await conn.fetch(
        "SELECT registration_id, state, waitlist_sequence FROM seat_allocation WHERE registration_id = ANY($1::uuid[])",
        list(registration_ids),
    )
    return {row["registration_id"]: Held(row["state"], row["waitlist_sequence"]) for row in rows}


async def save_decisions(conn: asyncpg.Connection, sessions: dict[UUID, LockedSession],
                         allocations: Sequence[Allocation]) -> None:
    """Add what the sessions' allotments handed out to their counters and store the allocations, in one
    statement. The counters' CHECK constraints refuse it all should the sum ever exceed a limit."""
    if not allocations:
        return
    taken = [(id, s.allotment.seats_taken, s.allotment.places_taken) for id, s in sessions.items()
             if s.allotment.seats_taken or s.allotment.places_taken]
    await conn.execute(
        """
        WITH counters AS (
            UPDATE session s SET seats_allocated = s.seats_allocated + taken.seats,
                                 waitlist_count = s.waitlist_count + taken.places,
                                 waitlist_last_sequence = s.waitlist_last_sequence + taken.places
            FROM unnest($1::uuid[], $2::int[], $3::int[]) AS taken (session_id, seats, places)
            WHERE s.id = taken.session_id
        )
        INSERT INTO seat_allocation (registration_id, session_id, event_id, state, waitlist_sequence, requested_at)
        SELECT * FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::int[], $9::timestamptz[])
        """,
        *zip(*taken, strict=True),
        *zip(*((a.registration_id, a.session_id, a.event_id, a.state, a.waitlist_sequence, a.requested_at)
               for a in allocations), strict=True),
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
