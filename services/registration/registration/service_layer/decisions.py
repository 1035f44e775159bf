"""The catalog's seat decisions: update the registration and tell the notification service."""

from collections.abc import Sequence

import asyncpg

from treffpunkt_shared.contracts.envelope import Envelope, EventPayload
from treffpunkt_shared.contracts.registration import (
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationRejected,
    RegistrationWaitlisted,
)
from treffpunkt_shared.contracts.seats import SEAT_EVENTS, SeatAllocated, SeatRejected, SeatWaitlisted
from treffpunkt_shared.messaging.consumer import one_by_one
from treffpunkt_shared.messaging.outbox import enqueue_many

from ..adapters import repository
from ..adapters.decision_waiter import notify_decided
from ..domain.model import Status, accepts_promotion, accepts_seat_decision
from ..links import Links
from .views import contract, position_of


def seat_decision_handler(links: Links):
    async def handle(conn: asyncpg.Connection, envelopes: Sequence[Envelope]) -> None:
        outcomes: list[tuple[EventPayload, str | None]] = []
        for envelope in one_by_one(envelopes):
            decision = envelope.parse_payload(SEAT_EVENTS)
            outcome = await apply_decision(conn, decision, links) if decision is not None else None
            if outcome is not None:
                outcomes.append((outcome, envelope.correlation_id))
        # The batch's messages in one statement, and one notification for all who wait.
        await enqueue_many(conn, outcomes, producer="registration")
        await notify_decided(conn, [outcome.message_key() for outcome, _ in outcomes])

    return handle


async def apply_decision(conn: asyncpg.Connection, decision: EventPayload, links: Links) -> EventPayload | None:
    """The registration's new status, and the event that tells the others (None: nothing changed)."""
    row = await repository.get(conn, decision.registration_id, for_update=True)
    if row is None:
        return None  # not ours (another deployment sharing the topic); nothing to change
    status = Status(row["status"])
    outcome: EventPayload | None = None
    if isinstance(decision, SeatAllocated) and decision.from_waitlist and accepts_promotion(status):
        row = await repository.set_decided(conn, row["id"], Status.confirmed)
        outcome = RegistrationPromoted(registration=contract(row, links))
    elif isinstance(decision, SeatAllocated) and accepts_seat_decision(status):
        row = await repository.set_decided(conn, row["id"], Status.confirmed)
        outcome = RegistrationConfirmed(registration=contract(row, links))
    elif isinstance(decision, SeatWaitlisted) and accepts_seat_decision(status):
        row = await repository.set_decided(conn, row["id"], Status.waitlisted, waitlist_sequence=decision.waitlist_sequence)
        outcome = RegistrationWaitlisted(registration=contract(row, links), waitlist_position=await position_of(conn, row))
    elif isinstance(decision, SeatRejected) and accepts_seat_decision(status):
        row = await repository.set_decided(conn, row["id"], Status.rejected, reason=decision.reason.value)
        outcome = RegistrationRejected(registration=contract(row, links), reason=decision.reason)
    # Anything else (a release, or a decision about a registration cancelled meanwhile) changes nothing here.
    return outcome
