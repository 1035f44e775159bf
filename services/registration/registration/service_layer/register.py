"""RegisterParticipant: check against the local copy of the catalog, store as pending and ask the
catalog for a seat, in one transaction. A 2xx answer means the registration is durable."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from treffpunkt_shared.catalog_copy import RegistrationRules, registration_rules
from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.contracts.registration import RegistrationRequested
from treffpunkt_shared.errors import Conflict, Gone, InvalidField
from treffpunkt_shared.logs import set_correlation_id
from treffpunkt_shared.messaging.outbox import enqueue

from ..adapters import repository
from ..adapters.decision_waiter import DecisionWaiter
from ..domain.commands import RegisterParticipant
from ..domain.model import Status, normalise_email

ALREADY_REGISTERED = (
    "This email address is already registered for this event. The confirmation email sent to it "
    "holds the links to see or cancel that registration."
)


@dataclass(frozen=True)
class Registered:
    row: asyncpg.Record
    created: bool  # False when an Idempotency-Key repeated an earlier request


def check_open(rules: RegistrationRules | None, now: datetime) -> None:
    """The registration rules the local copy of the catalog can decide; the seat is the catalog's."""
    if rules is None or rules.status is EventStatus.draft:
        raise InvalidField("event_id", "There is no event with this id open for registration.")
    if not rules.has_session:
        raise InvalidField("session_id", "This session does not belong to the event.")
    if rules.status is EventStatus.cancelled:
        raise Gone("The event has been cancelled.")
    if rules.status is EventStatus.closed:
        raise Conflict("Registration for this event is closed.")
    if now > rules.registration_deadline:
        raise Gone("The registration deadline for this event has passed.")


def request_hash(command: RegisterParticipant) -> str:
    return hashlib.sha256(command.model_dump_json().encode()).hexdigest()


async def register(pool: asyncpg.Pool, waiter: DecisionWaiter, command: RegisterParticipant, *, now: datetime,
                   idempotency_key: str | None = None, wait_seconds: float = 0) -> Registered:
    registration_id = uuid4()
    set_correlation_id(str(registration_id))
    if wait_seconds <= 0:
        return await _store(pool, command, registration_id, now, idempotency_key)
    async with waiter.watch(registration_id) as decided:
        registered = await _store(pool, command, registration_id, now, idempotency_key)
        if registered.created:
            await waiter.wait(decided, wait_seconds)
    return Registered(await repository.get(pool, registered.row["id"]), registered.created)


async def _store(pool: asyncpg.Pool, command: RegisterParticipant, registration_id: UUID, now: datetime,
                 idempotency_key: str | None) -> Registered:
    async with pool.acquire() as conn, conn.transaction():
        if idempotency_key is not None:
            # Serialise requests with one key, so a retry racing the original finds its answer.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", idempotency_key)
            earlier = await repository.find_idempotency_key(conn, idempotency_key)
            if earlier is not None:
                if earlier["request_hash"] != request_hash(command):
                    raise InvalidField("Idempotency-Key", "This Idempotency-Key was used for a different request.",
                                       location="header")
                return Registered(await repository.get(conn, earlier["registration_id"]), created=False)
        check_open(await registration_rules(conn, command.event_id, command.session_id), now)
        try:
            row = await repository.insert(
                conn, id=registration_id, event_id=command.event_id, session_id=command.session_id,
                first_name=command.first_name, last_name=command.last_name, email=str(command.email),
                email_normalised=normalise_email(str(command.email)), organisation=command.organisation,
                phone=command.phone or None, remarks=command.remarks or None, language=command.language.value,
                now=now,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(ALREADY_REGISTERED) from None
        if idempotency_key is not None:
            await repository.insert_idempotency_key(conn, idempotency_key, request_hash(command), registration_id)
        await enqueue(
            conn,
            RegistrationRequested(registration_id=registration_id, event_id=command.event_id, session_id=command.session_id),
            producer="registration", correlation_id=str(registration_id),
        )
    return Registered(row, created=True)


def is_final(row: asyncpg.Record) -> bool:
    return row["status"] != Status.pending
