"""The catalog's seat decisions: update the registration and tell the notification service.

A decision applies only where the registration's rules let it (`domain.model.Registration`); anything
else (a decision about a registration cancelled meanwhile, a repeated one) changes nothing here. Each
handler writes its run's outcomes in one statement and wakes, with one notification, the requests
that wait for them."""

from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from treffpunkt_shared.contracts.envelope import EventPayload
from treffpunkt_shared.contracts.registration import (
    RegistrationConfirmed,
    RegistrationMoved,
    RegistrationPromoted,
    RegistrationRejected,
    RegistrationWaitlisted,
)
from treffpunkt_shared.contracts.seats import SeatAllocated, SeatMoved, SeatMoveRefused, SeatRejected, SeatWaitlisted
from treffpunkt_shared.messaging.consumer import Received, one_by_one
from treffpunkt_shared.messaging.outbox import enqueue_many

from ..adapters import repository
from ..adapters.decision_waiter import notify_decided
from ..domain.model import Registration, Status
from ..links import Links
from ..settings import RegistrationSettings
from .views import as_outgoing, position_of

# What a decision does to the registration it is about, if anything: the event that tells the others.
Apply = Callable[[asyncpg.Connection, Registration, EventPayload, Links], Awaitable[EventPayload | None]]


async def allocated(conn: asyncpg.Connection, messages: Sequence[Received[SeatAllocated]], links: Links) -> None:
    await _apply(conn, messages, links, _allocate)


async def waitlisted(conn: asyncpg.Connection, messages: Sequence[Received[SeatWaitlisted]], links: Links) -> None:
    await _apply(conn, messages, links, _waitlist)


async def rejected(conn: asyncpg.Connection, messages: Sequence[Received[SeatRejected]], links: Links) -> None:
    await _apply(conn, messages, links, _reject)


async def moved(conn: asyncpg.Connection, messages: Sequence[Received[SeatMoved]], links: Links) -> None:
    await _apply(conn, messages, links, _move)


async def move_refused(conn: asyncpg.Connection, messages: Sequence[Received[SeatMoveRefused]], _: Links) -> None:
    """Nothing changes but the move's state; the staff request waiting for it is woken."""
    refused = [str(m.payload.registration_id) for m in one_by_one(messages)
               if await repository.decide_move(conn, m.payload.registration_id, m.payload.session_id,
                                               m.payload.reason.value)]
    await notify_decided(conn, refused)


async def _move(conn: asyncpg.Connection, registration: Registration, decision: SeatMoved,
                links: Links) -> EventPayload | None:
    if not await repository.decide_move(conn, registration.id, decision.session_id, None):
        return None  # a repeated answer
    if registration.status is not Status.confirmed or registration.erased:
        return None  # cancelled meanwhile: the ledger releases the moved seat with the cancellation, which follows
    return RegistrationMoved(registration=as_outgoing(
        await repository.set_session(conn, registration.id, decision.session_id), links),
        from_session_id=decision.from_session_id)


async def _allocate(conn: asyncpg.Connection, registration: Registration, decision: SeatAllocated,
                    links: Links) -> EventPayload | None:
    if decision.from_waitlist:
        if not registration.takes_promotion:
            return None
        return RegistrationPromoted(registration=as_outgoing(
            await repository.set_decided(conn, registration.id, Status.confirmed), links))
    if not registration.takes_seat_decision:
        return None
    return RegistrationConfirmed(registration=as_outgoing(
        await repository.set_decided(conn, registration.id, Status.confirmed), links))


async def _waitlist(conn: asyncpg.Connection, registration: Registration, decision: SeatWaitlisted,
                    links: Links) -> EventPayload | None:
    if not registration.takes_seat_decision:
        return None
    waiting = await repository.set_decided(conn, registration.id, Status.waitlisted,
                                           waitlist_sequence=decision.waitlist_sequence)
    return RegistrationWaitlisted(registration=as_outgoing(waiting, links),
                                  waitlist_position=await position_of(conn, waiting))


async def _reject(conn: asyncpg.Connection, registration: Registration, decision: SeatRejected,
                  links: Links) -> EventPayload | None:
    if not registration.takes_seat_decision:
        return None
    refused = await repository.set_decided(conn, registration.id, Status.rejected, reason=decision.reason.value)
    return RegistrationRejected(registration=as_outgoing(refused, links), reason=decision.reason)


async def _apply(conn: asyncpg.Connection, messages: Sequence[Received], links: Links, apply: Apply) -> None:
    outcomes: list[tuple[EventPayload, str | None]] = []
    for message in one_by_one(messages):
        registration = await repository.get(conn, message.payload.registration_id, for_update=True)
        if registration is None:
            continue  # not ours (another deployment sharing the topic); nothing to change
        outcome = await apply(conn, registration, message.payload, links)
        if outcome is not None:
            outcomes.append((outcome, message.envelope.correlation_id))
    await enqueue_many(conn, outcomes, producer=RegistrationSettings.service_name)
    await notify_decided(conn, [outcome.message_key() for outcome, _ in outcomes])
