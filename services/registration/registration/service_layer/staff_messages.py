"""Staff writing to an event's participants: the recipients chosen here (the registration service owns who is
registered), the message stored with one `StaffMessageToParticipant` per recipient in the outbox, in one
transaction; the notification service sends them. A preview counts and renders without storing anything."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from treffpunkt_shared import audit
from treffpunkt_shared.contracts.catalog import Event
from treffpunkt_shared.contracts.registration import Audience, StaffMessageToParticipant, staff_message_subject
from treffpunkt_shared.errors import InvalidField
from treffpunkt_shared.messaging.outbox import enqueue_many
from treffpunkt_shared.staff_access import Principal

from ..adapters import repository
from ..domain.model import Registration, Status
from ..links import Links
from ..settings import RegistrationSettings

# Who is among an audience. Pending registrations are in none: their seat is decided within moments, and
# until then nobody knows whether they are participants or on the waiting list.
_STATUSES = {
    Audience.confirmed: frozenset({Status.confirmed}),
    Audience.waitlisted: frozenset({Status.waitlisted}),
    Audience.all: frozenset({Status.confirmed, Status.waitlisted}),
}


@dataclass(frozen=True)
class Draft:
    session_id: UUID | None
    audience: Audience
    subject: str
    body: str


@dataclass(frozen=True)
class Preview:
    recipients: int
    subject: str
    body: str


@dataclass(frozen=True)
class SentMessage:
    id: UUID
    event_id: UUID
    session_id: UUID | None
    audience: Audience
    subject: str
    body: str
    recipients: int
    sent_by: str
    sent_by_name: str
    sent_at: datetime


async def recipients(conn: asyncpg.Connection | asyncpg.Pool, event: Event, draft: Draft) -> list[Registration]:
    """The registrations the draft goes to (erased ones are in no list); 422 for a session not of `event`."""
    if draft.session_id is not None and all(s.id != draft.session_id for s in event.sessions):
        raise InvalidField("session_id", "This session is not one of the event's sessions.")
    query = repository.Listing(event.id, session_id=draft.session_id, statuses=tuple(_STATUSES[draft.audience]))
    return [registration for registration, _ in await repository.listing(conn, query)]


async def preview(pool: asyncpg.Pool, event: Event, draft: Draft) -> Preview:
    return Preview(len(await recipients(pool, event, draft)), staff_message_subject(event.title, draft.subject),
                   draft.body)


async def send(pool: asyncpg.Pool, event: Event, draft: Draft, links: Links, by: Principal) -> SentMessage:
    """Store the message and queue one copy per recipient, with its audit entry, all or nothing."""
    message_id = uuid4()
    async with pool.acquire() as conn, conn.transaction():
        people = await recipients(conn, event, draft)
        row = await conn.fetchrow(
            """
            INSERT INTO staff_message (id, event_id, session_id, audience, subject, body, recipients, sent_by,
                                       sent_by_name)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *
            """,
            message_id, event.id, draft.session_id, draft.audience.value, draft.subject, draft.body, len(people),
            by.actor, by.name,
        )
        # Each copy keyed and correlated by its registration, like every message about a registration: an
        # erasure deletes the copies not published yet with the registration's other messages.
        await enqueue_many(conn, [
            (StaffMessageToParticipant(
                message_id=message_id, registration_id=r.id, event_id=r.event_id, session_id=r.session_id,
                email=r.email, name=f"{r.first_name} {r.last_name}", language=r.language, subject=draft.subject,
                body=draft.body, data_url=links.data_page(r.id)), str(r.id))
            for r in people
        ], producer=RegistrationSettings.service_name)
        await audit.record(conn, by, "messages.sent", message_id, event_id=event.id)
    return _sent(row)


async def sent_messages(pool: asyncpg.Pool, event_id: UUID) -> list[SentMessage]:
    rows = await pool.fetch("SELECT * FROM staff_message WHERE event_id = $1 ORDER BY sent_at DESC, id", event_id)
    return [_sent(row) for row in rows]


def _sent(row: asyncpg.Record) -> SentMessage:
    return SentMessage(**{**row, "audience": Audience(row["audience"])})
