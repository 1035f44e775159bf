"""The seat ledger in PostgreSQL: loads the sessions' counters and the allocations that the seat rule
(`domain.seats`) decides on, and stores what they became. The session row's counters are the truth;
its CHECK constraints (`seats_allocated BETWEEN 0 AND capacity`) make overselling impossible whatever
runs concurrently.

Lock order, everywhere: the session row first, then allocations; the counters are written as the
rule left them, which is safe because the session stays locked until the transaction ends.

Requests are decided a batch at a time: the batch's sessions are locked and read once, the
decisions made in memory in the requests' order, and the counters and allocations written back
in one statement, so a batch costs a few statements whatever its size.
"""

from collections.abc import Iterable, Sequence
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.catalog import EventStatus

from ..domain.seats import Allocation, AllocationState, SessionLedger

_ALLOCATION = "registration_id, session_id, event_id, state, waitlist_sequence, requested_at, promoted"


async def lock_sessions(conn: asyncpg.Connection, session_ids: Iterable[UUID]) -> dict[UUID, SessionLedger]:
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
        row["id"]: SessionLedger(
            session_id=row["id"], event_id=row["event_id"], event_status=EventStatus(row["event_status"]),
            registration_deadline=row["registration_deadline"], capacity=row["capacity"],
            waitlist_size=row["waitlist_size"], seats_allocated=row["seats_allocated"],
            waitlist_count=row["waitlist_count"], waitlist_last_sequence=row["waitlist_last_sequence"])
        for row in rows
    }


async def allocations_of(conn: asyncpg.Connection, registration_ids: Iterable[UUID]) -> dict[UUID, Allocation]:
    """What those of `registration_ids` that hold (or held) a seat or a waiting-list place hold."""
    rows = await conn.fetch(f"SELECT {_ALLOCATION} FROM seat_allocation WHERE registration_id = ANY($1::uuid[])",
                            list(registration_ids))
    return {row["registration_id"]: _allocation(row) for row in rows}


async def add_allocations(conn: asyncpg.Connection, sessions: Iterable[SessionLedger],
                          allocations: Sequence[Allocation]) -> None:
    """Store the sessions' counters and the new allocations, in one statement."""
    if not allocations:
        return  # nothing was taken, so no counter changed
    counters = [(s.session_id, s.seats_allocated, s.waitlist_count, s.waitlist_last_sequence) for s in sessions]
    await conn.execute(
        """
        WITH counters AS (
            UPDATE session s SET seats_allocated = c.seats_allocated, waitlist_count = c.waitlist_count,
                                 waitlist_last_sequence = c.waitlist_last_sequence
            FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[])
                AS c (session_id, seats_allocated, waitlist_count, waitlist_last_sequence)
            WHERE s.id = c.session_id
        )
        INSERT INTO seat_allocation (registration_id, session_id, event_id, state, waitlist_sequence, requested_at)
        SELECT * FROM unnest($5::uuid[], $6::uuid[], $7::uuid[], $8::text[], $9::int[], $10::timestamptz[])
        """,
        *zip(*counters, strict=True),
        *zip(*((a.registration_id, a.session_id, a.event_id, a.state.value, a.waitlist_sequence, a.requested_at)
               for a in allocations), strict=True),
    )


async def allocation_for_update(conn: asyncpg.Connection, registration_id: UUID) -> Allocation | None:
    row = await conn.fetchrow(f"SELECT {_ALLOCATION} FROM seat_allocation WHERE registration_id = $1 FOR UPDATE",
                              registration_id)
    return _allocation(row) if row else None


async def waiting_list_head(conn: asyncpg.Connection, session_id: UUID, count: int) -> list[Allocation]:
    """The first `count` still waiting for a seat in the session, locked (the caller has locked the session)."""
    if count <= 0:
        return []
    rows = await conn.fetch(
        f"""
        SELECT {_ALLOCATION} FROM seat_allocation WHERE session_id = $1 AND state = $2
        ORDER BY waitlist_sequence LIMIT $3 FOR UPDATE
        """,
        session_id, AllocationState.waitlisted.value, count,
    )
    return [_allocation(row) for row in rows]


async def save_changes(conn: asyncpg.Connection, session: SessionLedger, allocations: Sequence[Allocation]) -> None:
    """Store a session's counters and what its allocations became (released, promoted)."""
    await conn.execute(
        "UPDATE session SET seats_allocated = $2, waitlist_count = $3, waitlist_last_sequence = $4 WHERE id = $1",
        session.session_id, session.seats_allocated, session.waitlist_count, session.waitlist_last_sequence,
    )
    if allocations:
        await conn.execute(
            """
            UPDATE seat_allocation a SET state = c.state, promoted = c.promoted,
                released_at = CASE WHEN c.state = $4 AND a.state <> $4 THEN now() ELSE a.released_at END
            FROM unnest($1::uuid[], $2::text[], $3::boolean[]) AS c (registration_id, state, promoted)
            WHERE a.registration_id = c.registration_id
            """,
            [a.registration_id for a in allocations], [a.state.value for a in allocations],
            [a.promoted for a in allocations], AllocationState.released.value,
        )


async def save_move(conn: asyncpg.Connection, sessions: Iterable[SessionLedger], allocation: Allocation) -> None:
    """Store both sessions' counters and the allocation's new session (the caller has locked them all)."""
    for session in sessions:
        await save_changes(conn, session, [])
    await conn.execute("UPDATE seat_allocation SET session_id = $2 WHERE registration_id = $1",
                       allocation.registration_id, allocation.session_id)


def _allocation(row: asyncpg.Record) -> Allocation:
    return Allocation(registration_id=row["registration_id"], session_id=row["session_id"], event_id=row["event_id"],
                      state=AllocationState(row["state"]), waitlist_sequence=row["waitlist_sequence"],
                      requested_at=row["requested_at"], promoted=row["promoted"])
