"""MoveRegistration (staff): a confirmed registration's seat to another session of its event.

The seat is the catalog's, so the move is the registration's own saga again: a `RegistrationMoveRequested`
goes out through the outbox (keyed by the registration id: the ledger sees it in order with the registration's
request and cancellation), the seat ledger moves the seat (the old one goes to the head of that session's
waiting list) or refuses, and its answer (`SeatMoved`, `SeatMoveRefused`) is handled in `decisions`. The
request waits for that answer as a registration may (`DecisionWaiter`): moved or refused within the wait, else
still `moving` (the caller answers 202). Nothing of the registration changes before the ledger has decided."""

from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared import audit
from treffpunkt_shared.contracts.catalog import Event
from treffpunkt_shared.contracts.registration import RegistrationMoveRequested
from treffpunkt_shared.errors import Conflict, InvalidField
from treffpunkt_shared.messaging.outbox import enqueue
from treffpunkt_shared.staff_access import Principal

from ..adapters import repository
from ..adapters.decision_waiter import DecisionWaiter
from ..domain.model import Registration, Status
from ..settings import RegistrationSettings


async def move(pool: asyncpg.Pool, waiter: DecisionWaiter, registration: Registration, event: Event,
               to_session_id: UUID, *, by: Principal, now: datetime, wait_seconds: float) -> repository.Move:
    """Ask the seat ledger to move `registration` (of `event`) to `to_session_id` on behalf of `by`; the move as
    it stands after at most `wait_seconds`. The request is audited in its transaction (`registration.move_asked`):
    the staff action is the asking, whatever the ledger then decides (the registration's detail shows it)."""
    if to_session_id not in {session.id for session in event.sessions}:
        raise InvalidField("session_id", "This is not a session of the registration's event.")
    if to_session_id == registration.session_id:
        raise InvalidField("session_id", "The registration is in this session already.")
    async with waiter.watch(registration.id) as decided:
        async with pool.acquire() as conn, conn.transaction():
            current = await repository.get(conn, registration.id, for_update=True)
            if current.status is not Status.confirmed or current.erased:
                raise Conflict("Only a confirmed registration holds a seat to move; this one is "
                               f"{current.status.value}.")
            move_id = await repository.add_move(conn, registration.id, current.session_id, to_session_id, now)
            if move_id is None:
                raise Conflict("A move of this registration is still waiting for the catalog's seat ledger.")
            await enqueue(conn, RegistrationMoveRequested(registration_id=registration.id, event_id=registration.event_id,
                                                          from_session_id=current.session_id,
                                                          to_session_id=to_session_id),
                          producer=RegistrationSettings.service_name, correlation_id=str(registration.id))
            await audit.record(conn, by, "registration.move_asked", registration.id, event_id=registration.event_id)
        await waiter.wait(decided, wait_seconds)
    return await repository.get_move(pool, move_id)
