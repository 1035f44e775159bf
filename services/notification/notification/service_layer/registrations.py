"""The registration service's outcome events: the registrant's email and the contact persons' notices.

Both are queued in the consumer's transaction, the one that records the message in the inbox: a
message is handled with all its emails or not at all.
"""

import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from treffpunkt_shared.catalog_copy import get_event
from treffpunkt_shared.contracts.catalog import Event
from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import (
    Registration,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationMoved,
    RegistrationPromoted,
    RegistrationRejected,
    RegistrationWaitlisted,
)
from treffpunkt_shared.messaging.commit_hooks import after_commit
from treffpunkt_shared.messaging.consumer import Received
from treffpunkt_shared.tracing import trace_headers

from ..adapters import contact_notices, emails, erasure, registrations
from ..domain.model import CalendarMethod, Registrant, RegistrationStatus, registrant_email, session_of
from .handling import HandlerDependencies

log = logging.getLogger(__name__)

Outcome = (RegistrationConfirmed | RegistrationWaitlisted | RegistrationRejected | RegistrationPromoted
           | RegistrationCancelled | RegistrationMoved)

_KIND_AND_STATUS: dict[type[Outcome], tuple[EmailKind, RegistrationStatus]] = {
    RegistrationConfirmed: (EmailKind.confirmed, RegistrationStatus.confirmed),
    RegistrationWaitlisted: (EmailKind.waitlisted, RegistrationStatus.waitlisted),
    RegistrationRejected: (EmailKind.rejected, RegistrationStatus.rejected),
    RegistrationPromoted: (EmailKind.promoted, RegistrationStatus.confirmed),
    RegistrationCancelled: (EmailKind.cancelled, RegistrationStatus.cancelled),
    RegistrationMoved: (EmailKind.moved, RegistrationStatus.confirmed),
}


def _registrant(registration: Registration) -> Registrant:
    participant = registration.participant
    return Registrant(registration.registration_id, registration.event_id, participant.email,
                      f"{participant.first_name} {participant.last_name}", participant.language)


def _details(outcome: Outcome) -> dict[str, Any]:
    match outcome:
        case RegistrationWaitlisted(waitlist_position=position):
            return {"waitlist_position": position}
        case RegistrationMoved(from_session_id=from_session_id):
            return {"from_session_id": str(from_session_id)}
        case RegistrationRejected(reason=reason):
            return {"reason": reason.value}
        case RegistrationCancelled(cancelled_by=cancelled_by, previous_status=previous_status, reason=reason):
            # Staff's reason is for the person's email; erasing the registration deletes the email with it.
            return {"cancelled_by": cancelled_by.value, "previous_status": previous_status} | (
                {"reason": reason} if reason else {})
    return {}


def _calendar_method(kind: EmailKind, details: dict[str, Any]) -> CalendarMethod | None:
    if kind in (EmailKind.confirmed, EmailKind.promoted, EmailKind.moved):
        return CalendarMethod.request  # a seat: into the calendar (a move: the same entry, now its new session)
    # Only a confirmed seat was ever in the registrant's calendar.
    if kind is EmailKind.cancelled and details.get("previous_status") == RegistrationStatus.confirmed:
        return CalendarMethod.cancel
    return None


async def record_outcomes(conn: asyncpg.Connection, messages: Sequence[Received[Outcome]],
                          dependencies: HandlerDependencies) -> None:
    """The handler of every outcome: a run of them, in the order they came, in a few statements for all;
    the sender is woken once they are committed. A request for a seat is nobody's email yet."""
    now, domain = dependencies.clock.now(), dependencies.domain
    erased = await erasure.erased_among(conn, [m.payload.registration.registration_id for m in messages])
    received = [(message.payload, message.envelope) for message in messages
                if message.payload.registration.registration_id not in erased]  # erased stays erased
    await registrations.save_many(conn, [
        (outcome.registration, _KIND_AND_STATUS[type(outcome)][1], envelope.occurred_at,
         _details(outcome).get("waitlist_position"))
        for outcome, envelope in received
    ])
    in_calendar = [(outcome, _calendar_method(_KIND_AND_STATUS[type(outcome)][0], _details(outcome)))
                   for outcome, _ in received]
    sequences = await registrations.next_calendar_sequences(
        conn, [outcome.registration.registration_id for outcome, method in in_calendar if method is not None])
    queued, trace_contexts, notices = [], [], []
    events: dict[UUID, Event | None] = {}
    for (outcome, envelope), (_, method) in zip(received, in_calendar, strict=True):
        registration = outcome.registration
        kind = _KIND_AND_STATUS[type(outcome)][0]
        details = _details(outcome)
        if method is not None:
            details |= {"calendar_method": method.value,
                        "calendar_sequence": sequences[registration.registration_id].pop(0)}
        queued.append(registrant_email(kind, _registrant(registration), details))
        trace_contexts.append(trace_headers(envelope.correlation_id))
        if isinstance(outcome, RegistrationMoved):
            continue  # the contact persons' notices are about registrations coming and going, not moves (yet)
        if registration.event_id not in events:
            events[registration.event_id] = await get_event(conn, registration.event_id)
        session = session_of(events[registration.event_id], registration.session_id)
        if session is None:
            # The registrant's email waits for the catalog's data; whom to tell is only known from it.
            log.warning("session %s of registration %s is not in the local copy of the catalog: no contact person "
                        "is told", registration.session_id, registration.registration_id)
            continue
        notices += [contact_notices.NewNotice(person, registration.registration_id, registration.event_id,
                                              registration.session_id, kind, now)
                    for person in session.contact_persons]
    await emails.add(conn, queued, domain, trace_contexts=trace_contexts)
    await contact_notices.add(conn, notices)
    after_commit(dependencies.emails_queued)

