"""Erasure of a registration's personal data (DSGVO Art. 17), by the registrant ("my data"), by staff on
the person's request, or when the event's retention period after its end has run out.

In one transaction: an active registration is cancelled first (unless the retention ran out: the event is
long over, its seats are history), the personal columns are emptied (ids, event, session, status, times
and the consent record stay, anonymous, for the statistics), the outbox rows that carry the person's data
are deleted whether published or not, and `RegistrationErased` goes out: the notification service erases
what it holds, the catalog releases the seat of a registration that still held one (the waiting list
moves up as after a cancellation; a `RegistrationCancelled` would carry the data again). A registration
erased already is left as it is, so every path may repeat. Erased by staff, each registration erased gets an
audit entry in the same transaction (ids only: the address asked for is not noted).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared import audit
from treffpunkt_shared.contracts.registration import (
    REGISTRATION_TOPIC,
    CancelledBy,
    ErasedBecause,
    RegistrationErased,
    RegistrationRequested,
)
from treffpunkt_shared.messaging.outbox import enqueue
from treffpunkt_shared.staff_access import Principal

from ..adapters import repository
from ..domain.model import Registration, normalise_email
from ..settings import RegistrationSettings

log = logging.getLogger(__name__)

_CANCELLED_BY = {ErasedBecause.registrant: CancelledBy.registrant, ErasedBecause.staff: CancelledBy.staff}

EventFilter = Callable[[UUID], Awaitable[bool]]
"""Whether the registrations of an event (its id) are to be erased: the staff member's reach."""


async def erase(conn: asyncpg.Connection, registration_id: UUID, because: ErasedBecause, now: datetime, *,
                by: Principal | None = None) -> Registration | None:
    """Erase one registration, in a transaction of its own; None if there is none with this id. `by`: the staff
    member erasing it on the person's request (audited)."""
    async with conn.transaction():
        erased = await _erase(conn, registration_id, because, now, by=by)
        return erased or await repository.get(conn, registration_id)


async def erase_address(conn: asyncpg.Connection, email: str, because: ErasedBecause, now: datetime, *,
                        by: Principal | None = None, within: EventFilter | None = None) -> list[UUID]:
    """Erase every registration of an email address, across events (compared as registrations are:
    case-insensitively), in one transaction; the ids of those erased. `within`: only those of the events it
    admits (a staff member's, `by`, each audited)."""
    async with conn.transaction():
        erased = []
        for registration_id in await repository.ids_of_address(conn, normalise_email(email)):
            if await _erase(conn, registration_id, because, now, by=by, within=within) is not None:
                erased.append(registration_id)
    return erased


async def erase_due(conn: asyncpg.Connection, now: datetime, *, batch_size: int = 200) -> int:
    """Erase the registrations whose event ended more than its retention period before `now`, a transaction
    per batch; how many. Replicas may run it at once: each waits for the other's lock on a registration,
    then skips it as erased."""
    erased = 0
    while True:
        async with conn.transaction():
            ids = await repository.due_for_erasure(conn, now, batch_size)
            for registration_id in ids:
                await _erase(conn, registration_id, ErasedBecause.retention, now)
        erased += len(ids)
        if len(ids) < batch_size:
            break
    if erased:
        log.info("retention: %d registration(s) erased", erased)  # a count: nobody's data
    return erased


def retention_eraser(pool: Callable[[], asyncpg.Pool], interval_seconds: float,
                     batch_size: int) -> Callable[[], Awaitable[None]]:
    """The scheduled job for the runtime: `erase_due` every `interval_seconds` (the first round soon after the
    start, so a service that was away catches up); `pool` is called for each round."""

    async def run() -> None:
        delay = min(interval_seconds, 10.0)
        while True:
            await asyncio.sleep(delay)
            delay = interval_seconds
            try:
                async with pool().acquire() as conn:
                    await erase_due(conn, datetime.now(UTC), batch_size=batch_size)
            except Exception as exc:  # the database away: the next round tries again
                log.warning("retention: erasing due registrations failed, trying again in %.0fs: %r",
                            interval_seconds, exc)

    return run


async def _erase(conn: asyncpg.Connection, registration_id: UUID, because: ErasedBecause, now: datetime, *,
                 by: Principal | None = None, within: EventFilter | None = None) -> Registration | None:
    """The registration as erased now; None if there is none, it was erased already or `within` leaves it."""
    registration = await repository.get(conn, registration_id, for_update=True)
    if registration is None or registration.erased:
        return None
    if within is not None and not await within(registration.event_id):
        return None
    # On request the seat is given back (idempotent in the catalog: also when a cancellation still unpublished
    # is deleted below); after the retention period nothing is: the event is over.
    on_request = because is not ErasedBecause.retention
    if on_request and registration.cancellable:
        await repository.set_cancelled(conn, registration_id, _CANCELLED_BY[because].value)
    erased = await repository.erase(conn, registration_id, because.value, now)
    await _delete_personal_messages(conn, [registration_id])
    await enqueue(
        conn,
        RegistrationErased(registration_id=registration_id, event_id=registration.event_id,
                           session_id=registration.session_id, erased_at=now, because=because,
                           release_seat=on_request),
        producer=RegistrationSettings.service_name, correlation_id=str(registration_id),
    )
    if by is not None:
        await audit.record(conn, by, "registration.erased", registration_id, event_id=registration.event_id)
    return erased


async def _delete_personal_messages(conn: asyncpg.Connection, registration_ids: Sequence[UUID]) -> None:
    """The registration's outbox rows but its seat requests (ids only, and the catalog's order relies on
    them): the outcomes and link requests carry the person's data. One not published yet is not needed
    any more: the notification service is to forget the person anyway, and `RegistrationErased` releases
    what a cancellation still unpublished would have."""
    await conn.execute(
        """
        DELETE FROM outbox_message
        WHERE topic = $1 AND message_key = ANY($2::text[]) AND event_type <> $3
        """,
        REGISTRATION_TOPIC, [str(i) for i in registration_ids], RegistrationRequested.event_type,
    )
