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
Request = tuple[RegistrationRequested, datetime, str | None]  # the request, when it was made, its correlation id


async def handle_registration_events(conn: asyncpg.Connection, envelopes: Sequence[Envelope]) -> None:
    """The consumer of `registration.registration.v1`: a batch in one transaction, decisions in order.

    Consecutive requests are decided together, in a few statements whatever their number."""
    decisions: Decisions = []
    requests: list[Request] = []
    for envelope in one_by_one(envelopes):
        event = envelope.parse_payload(REGISTRATION_EVENTS)
        if isinstance(event, RegistrationRequested):
            requests.append((event, envelope.occurred_at, envelope.correlation_id))
        elif isinstance(event, RegistrationCancelled):
            # The requests before it first: it gives back what they took, and those after it find what it freed.
            decisions += await decide(conn, requests)
            requests = []
            registration = event.registration
            decisions += await release(conn, registration.registration_id, registration.event_id, registration.session_id)
    decisions += await decide(conn, requests)
    await enqueue_many(conn, decisions, producer="catalog")
    after_commit(lambda: count_decisions(decision for decision, _ in decisions))


async def decide(conn: asyncpg.Connection, requests: Sequence[Request]) -> Decisions:
    """Each request in order: a seat while there is one, else a place on the waiting list while there is
    one, else no. A registration that holds a seat or place asked before, under another message id (the
    registration service repeats a request whose decision it never got): it gets what it holds announced
    again, and nothing new; one that held and gave it back gets nothing."""
    if not requests:
        return []
    sessions = await seat_ledger.lock_sessions(conn, {request.session_id for request, _, _ in requests})
    earlier = await seat_ledger.decided(conn, [request.registration_id for request, _, _ in requests])
    taken = set(earlier)
    allocations: list[seat_ledger.Allocation] = []
    decisions: Decisions = []
    for request, requested_at, correlation in requests:
        if request.registration_id in taken:
            if (again := _announced_again(request, earlier.get(request.registration_id))) is not None:
                decisions.append((again, correlation))
            continue
        decision = _decide(request, sessions.get(request.session_id), requested_at)
        decisions.append((decision, correlation))
        match decision:
            case SeatAllocated():
                state, sequence = "allocated", None
            case SeatWaitlisted(waitlist_sequence=sequence):
                state = "waitlisted"
            case _:
                continue  # rejected: no row (see adapters.seat_ledger)
        taken.add(request.registration_id)
        allocations.append(seat_ledger.Allocation(
            registration_id=request.registration_id, session_id=request.session_id, event_id=request.event_id,
            state=state, waitlist_sequence=sequence, requested_at=requested_at))
    await seat_ledger.save_decisions(conn, sessions, allocations)
    return decisions


def _announced_again(request: RegistrationRequested, held: seat_ledger.Held | None) -> EventPayload | None:
    ids = {"registration_id": request.registration_id, "event_id": request.event_id, "session_id": request.session_id}
    if held is None:
        return None  # taken by a request earlier in this batch: decided there
    if held.state == "allocated":
        return SeatAllocated(**ids)
    if held.state == "waitlisted":
        return SeatWaitlisted(**ids, waitlist_sequence=held.waitlist_sequence)
    return None


def _decide(request: RegistrationRequested, session: seat_ledger.LockedSession | None,
            requested_at: datetime) -> EventPayload:
    ids = {"registration_id": request.registration_id, "event_id": request.event_id, "session_id": request.session_id}
    if session is None or session.event_id != request.event_id:
        return SeatRejected(**ids, reason=RejectionReason.unknown_session)
    if not registration_open(EventStatus(session.event_status), session.registration_deadline, requested_at):
        reason = RejectionReason.deadline_passed if session.event_status == "published" else RejectionReason.closed
        return SeatRejected(**ids, reason=reason)
    if session.allotment.take_seat():
        return SeatAllocated(**ids)
    sequence = session.allotment.take_waitlist_place()
    if sequence is not None:
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
