"""The seat ledger's use cases: decide requested registrations, release what a cancelled one held, move a
seat to another session of the event (staff), and promote from the waiting list. The rule is the domain's
(`domain.seats`); here it is loaded, applied and stored, and each decision goes out through the outbox in
the same transaction, counted in the metrics once that transaction has committed."""

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.envelope import EventPayload
from treffpunkt_shared.contracts.registration import (
    RegistrationCancelled,
    RegistrationErased,
    RegistrationMoveRequested,
    RegistrationRequested,
)
from treffpunkt_shared.contracts.seats import (
    SeatAllocated,
    SeatMoved,
    SeatMoveRefused,
    SeatRejected,
    SeatReleased,
    SeatWaitlisted,
)
from treffpunkt_shared.messaging.commit_hooks import after_commit
from treffpunkt_shared.messaging.consumer import Received, one_by_one
from treffpunkt_shared.messaging.outbox import enqueue_many

from ..adapters import seat_ledger
from ..domain import seats
from ..domain.seats import (
    Allocation,
    Decision,
    Refused,
    Released,
    Seat,
    SeatRequest,
    WaitingListPlace,
    announced_again,
    unknown_session,
)
from ..metrics import count_decisions
from ..settings import CatalogSettings

Decisions = list[tuple[EventPayload, str | None]]  # the messages and their correlation ids


async def decide_requests(conn: asyncpg.Connection, messages: Sequence[Received[RegistrationRequested]],
                          _: None) -> None:
    """Each request in order, a run of them together in a few statements whatever their number. A
    registration that holds a seat or place asked before, under another message id (the registration
    service repeats a request whose decision it never got): what it holds is announced again, and
    nothing new is taken; one that held and gave it back gets nothing."""
    requests = [(SeatRequest(m.payload.registration_id, m.payload.event_id, m.payload.session_id,
                             m.envelope.occurred_at), m.envelope.correlation_id) for m in messages]
    sessions = await seat_ledger.lock_sessions(conn, {request.session_id for request, _ in requests})
    earlier = await seat_ledger.allocations_of(conn, [request.registration_id for request, _ in requests])
    held = set(earlier)
    decisions: Decisions = []
    allocations: list[Allocation] = []
    for request, correlation in requests:
        if request.registration_id in held:
            # Taken by a request earlier in this batch: decided there.
            if (again := announced_again(earlier.get(request.registration_id))) is not None:
                decisions.append((_message(again), correlation))
            continue
        session = sessions.get(request.session_id)
        decision = session.decide(request) if session is not None else unknown_session(request)
        decisions.append((_message(decision), correlation))
        if decision.allocation is not None:
            held.add(request.registration_id)
            allocations.append(decision.allocation)
    await seat_ledger.add_allocations(conn, sessions.values(), allocations)
    await _publish(conn, decisions)


async def release_cancelled(conn: asyncpg.Connection, messages: Sequence[Received[RegistrationCancelled]],
                            _: None) -> None:
    """Give back the seat or waiting-list place of each cancelled registration; a freed seat goes to the
    head of the waiting list in the same transaction."""
    decisions: Decisions = []
    for message in one_by_one(messages):
        registration = message.payload.registration
        decisions += await release(conn, registration.registration_id, registration.event_id, registration.session_id)
    await _publish(conn, decisions)


async def release_erased(conn: asyncpg.Connection, messages: Sequence[Received[RegistrationErased]], _: None) -> None:
    """An erasure on request cancels: what the registration held is given back as on `RegistrationCancelled`
    (nothing, if it held nothing or gave it back already)."""
    decisions: Decisions = []
    for message in one_by_one(messages):
        erased = message.payload
        if erased.release_seat:
            decisions += await release(conn, erased.registration_id, erased.event_id, erased.session_id)
    await _publish(conn, decisions)


async def move_requested(conn: asyncpg.Connection, messages: Sequence[Received[RegistrationMoveRequested]],
                         _: None) -> None:
    """Move each registration's seat to the session staff chose, if it has a free one; the seat given back goes
    to the head of the old session's waiting list in the same transaction. Else refused, nothing changed."""
    decisions: Decisions = []
    for message in one_by_one(messages):
        request = message.payload
        sessions = await seat_ledger.lock_sessions(conn, {request.from_session_id, request.to_session_id})
        old, new = sessions.get(request.from_session_id), sessions.get(request.to_session_id)
        allocation = await seat_ledger.allocation_for_update(conn, request.registration_id)
        ids = {"registration_id": request.registration_id, "event_id": request.event_id}
        if (refusal := seats.move(allocation, old, new)) is not None:
            decisions.append((SeatMoveRefused(**ids, session_id=request.to_session_id, reason=refusal),
                              message.envelope.correlation_id))
            continue
        promoted = old.promote(await seat_ledger.waiting_list_head(conn, old.session_id, old.seats_free))
        await seat_ledger.save_move(conn, (old, new), allocation)
        await seat_ledger.save_changes(conn, old, promoted)
        decisions += [(SeatMoved(**ids, session_id=new.session_id, from_session_id=old.session_id),
                       message.envelope.correlation_id), *_promotions(promoted)]
    await _publish(conn, decisions)


async def release(conn: asyncpg.Connection, registration_id: UUID, event_id: UUID, session_id: UUID) -> Decisions:
    # A move changes the session an allocation is in: the allocation's, not the message's, is released. Only a
    # move of this registration changes it, and those are handled in order with this (the same message key).
    held = (await seat_ledger.allocations_of(conn, [registration_id])).get(registration_id)
    session_id = held.session_id if held is not None else session_id
    session = (await seat_ledger.lock_sessions(conn, [session_id])).get(session_id)
    allocation = await seat_ledger.allocation_for_update(conn, registration_id) if session is not None else None
    released, promoted = Released.nothing, []
    if session is not None and allocation is not None:
        released = session.release(allocation)
        if released is Released.seat:
            promoted = session.promote(await seat_ledger.waiting_list_head(conn, session_id, session.seats_free))
        if released is not Released.nothing:
            await seat_ledger.save_changes(conn, session, [allocation, *promoted])
    return [(SeatReleased(registration_id=registration_id, event_id=event_id, session_id=session_id,
                          released=released.value), str(registration_id)), *_promotions(promoted)]


async def promote(conn: asyncpg.Connection, session_id: UUID) -> None:
    """Fill every free seat of the session from its waiting list (after its capacity was raised); within
    `run_after_commit`, which counts the promotions once they are committed."""
    [session] = (await seat_ledger.lock_sessions(conn, [session_id])).values()
    promoted = session.promote(await seat_ledger.waiting_list_head(conn, session_id, session.seats_free))
    if promoted:
        await seat_ledger.save_changes(conn, session, promoted)
        await _publish(conn, _promotions(promoted))


async def _publish(conn: asyncpg.Connection, decisions: Decisions) -> None:
    await enqueue_many(conn, decisions, producer=CatalogSettings.service_name)
    after_commit(lambda: count_decisions(decision for decision, _ in decisions))


def _promotions(promoted: Sequence[Allocation]) -> Decisions:
    return [(SeatAllocated(registration_id=a.registration_id, event_id=a.event_id, session_id=a.session_id,
                           from_waitlist=True), str(a.registration_id)) for a in promoted]


def _message(decision: Decision) -> EventPayload:
    """The decision as the message the registration service gets."""
    match decision:
        case Seat(allocation=a):
            return SeatAllocated(registration_id=a.registration_id, event_id=a.event_id, session_id=a.session_id)
        case WaitingListPlace(allocation=a):
            return SeatWaitlisted(registration_id=a.registration_id, event_id=a.event_id, session_id=a.session_id,
                                  waitlist_sequence=a.waitlist_sequence)
        case Refused(request=r, reason=reason):
            return SeatRejected(registration_id=r.registration_id, event_id=r.event_id, session_id=r.session_id,
                                reason=reason)
