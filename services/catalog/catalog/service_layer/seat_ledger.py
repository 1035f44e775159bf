"""The seat ledger's handlers: decide each requested registration, release on cancellation,
promote from the waiting list. Each decision goes out through the outbox in the same transaction,
and is counted in the metrics once that transaction has committed."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.contracts.envelope import Envelope, EventPayload
from treffpunkt_shared.contracts.registration import REGISTRATION_EVENTS, RegistrationCancelled, RegistrationRequested
from treffpunkt_shared.contracts.seats import (
    RejectionReason,
    SeatAllocated,
    SeatRejected,
    SeatReleased,
    SeatWaitlisted,
)
from treffpunkt_shared.messaging.consumer import after_commit, one_by_one
from treffpunkt_shared.messaging.outbox import enqueue_many

from ..adapters import seat_ledger
from ..domain.status import registration_open
from ..metrics import count_decisions

Decisions = list[tuple[EventPayload, str | None]]


async def handle_registration_events(conn: asyncpg.Connection, envelopes: Sequence[Envelope]) -> None:
    """The consumer of `registration.registration.v1`: a batch in one transaction, decisions in order."""
    decisions: Decisions = []
    for envelope in one_by_one(envelopes):
        event = envelope.parse_payload(REGISTRATION_EVENTS)
        if isinstance(event, RegistrationRequested):
            decision = await decide(conn, event, requested_at=envelope.occurred_at)
            if decision is not None:
                decisions.append((decision, envelope.correlation_id))
        elif isinstance(event, RegistrationCancelled):
            registration = event.registration
            decisions += await release(conn, registration.registration_id, registration.event_id, registration.session_id)
    await enqueue_many(conn, decisions, producer="catalog")
    after_commit(lambda: count_decisions(decision for decision, _ in decisions))


async def decide(conn: asyncpg.Connection, request: RegistrationRequested, *, requested_at: datetime) -> EventPayload | None:
    """A seat while there is one, else a place on the waiting list while there is one, else no."""
    ids = {"registration_id": request.registration_id, "event_id": request.event_id, "session_id": request.session_id}
    if await seat_ledger.is_decided(conn, request.registration_id):
        return None
    state = await seat_ledger.session_state(conn, request.session_id)
    if state is None or state.event_id != request.event_id:
        return SeatRejected(**ids, reason=RejectionReason.unknown_session)
    if not registration_open(EventStatus(state.event_status), state.registration_deadline, requested_at):
        reason = RejectionReason.deadline_passed if state.event_status == "published" else RejectionReason.closed
        return SeatRejected(**ids, reason=reason)
    if await seat_ledger.take_seat(conn, request.session_id):
        await seat_ledger.record(conn, **ids, state="allocated", waitlist_sequence=None, requested_at=requested_at)
        return SeatAllocated(**ids)
    sequence = await seat_ledger.take_waitlist_place(conn, request.session_id)
    if sequence is not None:
        await seat_ledger.record(conn, **ids, state="waitlisted", waitlist_sequence=sequence, requested_at=requested_at)
        return SeatWaitlisted(**ids, waitlist_sequence=sequence)
    return SeatRejected(**ids, reason=RejectionReason.full)


async def release(conn: asyncpg.Connection, registration_id: UUID, event_id: UUID, session_id: UUID) -> Decisions:
    """Give back the seat or waiting-list place of a cancelled registration; a freed seat goes to the
    head of the waiting list in the same transaction."""
    await seat_ledger.lock_session(conn, session_id)
    released = await seat_ledger.release(conn, registration_id, session_id)
    decisions: Decisions = [(SeatReleased(registration_id=registration_id, event_id=event_id, session_id=session_id,
                                          released=released or "nothing"), str(registration_id))]
    if released == "seat":
        decisions += await promote(conn, event_id, session_id)
    return decisions


async def promote(conn: asyncpg.Connection, event_id: UUID, session_id: UUID) -> Decisions:
    """Fill every free seat from the waiting list (the session is locked by the caller)."""
    promoted = await seat_ledger.promote(conn, session_id)
    return [
        (SeatAllocated(registration_id=r, event_id=event_id, session_id=session_id, from_waitlist=True), str(r))
        for r in promoted
    ]
