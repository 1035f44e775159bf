"""RegisterParticipant: check against the local copy of the catalog, then store as pending and ask the
catalog for a seat, atomically. A 2xx answer means the registration is durable."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from treffpunkt_shared.catalog_copy import get_event, registration_rules
from treffpunkt_shared.contracts.registration import RegistrationRequested
from treffpunkt_shared.errors import Conflict, InvalidField, Refused
from treffpunkt_shared.logs import set_correlation_id
from treffpunkt_shared.messaging.outbox import in_statement

from ..adapters import repository
from ..adapters.decision_waiter import DecisionWaiter
from ..domain.commands import RegisterParticipant
from ..domain.model import Registration, check_open, consent_to, normalise_email
from ..settings import RegistrationSettings
from ..texts import texts

ONE_ACTIVE_REGISTRATION_PER_EMAIL = "registration_event_email_active_key"


@dataclass(frozen=True)
class Registered:
    registration: Registration
    created: bool  # False when an Idempotency-Key repeated an earlier request


def request_hash(command: RegisterParticipant) -> str:
    return hashlib.sha256(command.model_dump_json().encode()).hexdigest()


async def register(pool: asyncpg.Pool, waiter: DecisionWaiter, command: RegisterParticipant, *, now: datetime,
                   site_privacy_url: str | None, idempotency_key: str | None = None,
                   wait_seconds: float = 0) -> Registered:
    """`site_privacy_url`: the notice agreed to when the event's organisers have none."""
    registration_id = uuid4()
    set_correlation_id(str(registration_id))
    if wait_seconds <= 0:
        return await _store(pool, command, registration_id, now, idempotency_key, site_privacy_url)
    async with waiter.watch(registration_id) as decided:
        registered = await _store(pool, command, registration_id, now, idempotency_key, site_privacy_url)
        if registered.created:
            await waiter.wait(decided, wait_seconds)
    return Registered(await repository.get(pool, registered.registration.id), registered.created)


async def _store(pool: asyncpg.Pool, command: RegisterParticipant, registration_id: UUID, now: datetime,
                 idempotency_key: str | None, site_privacy_url: str | None) -> Registered:
    # Two round trips and no transaction: the rules are read, then one statement writes the registration,
    # its key and its outbox message atomically. A transaction around both would add nothing: at READ
    # COMMITTED it would not hold the rules still either (the seat is the catalog's to decide anyway).
    language = command.language.value
    hashed = request_hash(command) if idempotency_key is not None else None
    async with pool.acquire() as conn:
        try:
            check_open(await registration_rules(conn, command.event_id, command.session_id), now, language)
        except Refused:
            # A repeated request gets the first answer, even when the event has closed since.
            earlier = await _earlier(conn, idempotency_key, hashed, language) if idempotency_key is not None else None
            if earlier is None:
                raise
            return earlier
        consent = consent_to(await get_event(conn, command.event_id), site_privacy_url)
        email = str(command.email)
        try:
            registration = await repository.insert(
                conn, id=registration_id, event_id=command.event_id, session_id=command.session_id,
                first_name=command.first_name, last_name=command.last_name, email=email,
                email_normalised=normalise_email(email), organisation=command.organisation,
                phone=command.phone or None, remarks=command.remarks or None, language=command.language.value,
                now=now, idempotency_key=idempotency_key, request_hash=hashed, consent=consent,
                request=in_statement(
                    RegistrationRequested(registration_id=registration_id, event_id=command.event_id,
                                          session_id=command.session_id),
                    producer=RegistrationSettings.service_name, correlation_id=str(registration_id),
                    source="inserted", first_parameter=19),
            )
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name != ONE_ACTIVE_REGISTRATION_PER_EMAIL:
                raise
            raise Conflict(texts(language)["refused.already_registered"]) from None
        if registration is None:  # the key is taken, by a request that has committed
            return await _earlier(conn, idempotency_key, hashed, language)
    return Registered(registration, created=True)


async def _earlier(conn: asyncpg.Connection, idempotency_key: str, hashed: str, language: str) -> Registered | None:
    """The answer to the first request with this key, if there was one; the key is refused for a different request."""
    earlier = await repository.find_by_idempotency_key(conn, idempotency_key)
    if earlier is None:
        return None
    earlier_hash, registration = earlier
    if earlier_hash != hashed:
        raise InvalidField("Idempotency-Key", texts(language)["refused.idempotency_key_reused"], location="header")
    return Registered(registration, created=False)
