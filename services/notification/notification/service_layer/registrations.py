"""The registration service's outcome events: the registrant's email and the contact persons' notices.

Both are queued in the consumer's transaction, the one that records the message in the inbox: a
message is handled with all its emails or not at all.
"""

import logging
from datetime import datetime
from typing import Any

import asyncpg

from treffpunkt_shared.catalog_copy import get_event
from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.contracts.registration import (
    Registration,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationRejected,
    RegistrationWaitlisted,
)
from treffpunkt_shared.tracing import trace_headers

from ..adapters import contact_notices, emails, registrations
from ..domain.model import CalendarMethod, Registrant, RegistrationStatus, registrant_email

log = logging.getLogger(__name__)

Outcome = RegistrationConfirmed | RegistrationWaitlisted | RegistrationRejected | RegistrationPromoted | RegistrationCancelled

_KIND_AND_STATUS: dict[type[Outcome], tuple[EmailKind, RegistrationStatus]] = {
    RegistrationConfirmed: (EmailKind.confirmed, RegistrationStatus.confirmed),
    RegistrationWaitlisted: (EmailKind.waitlisted, RegistrationStatus.waitlisted),
    RegistrationRejected: (EmailKind.rejected, RegistrationStatus.rejected),
    RegistrationPromoted: (EmailKind.promoted, RegistrationStatus.confirmed),
    RegistrationCancelled: (EmailKind.cancelled, RegistrationStatus.cancelled),
}
OUTCOMES = tuple(_KIND_AND_STATUS)


def _registrant(registration: Registration) -> Registrant:
    participant = registration.participant
    return Registrant(registration.registration_id, registration.event_id, participant.email,
                      f"{participant.first_name} {participant.last_name}", participant.language)


def _details(outcome: Outcome) -> dict[str, Any]:
    match outcome:
        case RegistrationWaitlisted(waitlist_position=position):
            return {"waitlist_position": position}
        case RegistrationRejected(reason=reason):
            return {"reason": reason.value}
        case RegistrationCancelled(cancelled_by=cancelled_by, previous_status=previous_status):
            return {"cancelled_by": cancelled_by.value, "previous_status": previous_status}
    return {}


def _calendar_method(kind: EmailKind, details: dict[str, Any]) -> CalendarMethod | None:
    if kind in (EmailKind.confirmed, EmailKind.promoted):
        return CalendarMethod.request  # a seat: into the calendar
    # Only a confirmed seat was ever in the registrant's calendar.
    if kind is EmailKind.cancelled and details.get("previous_status") == RegistrationStatus.confirmed:
        return CalendarMethod.cancel
    return None


async def record_outcome(conn: asyncpg.Connection, outcome: Outcome, envelope: Envelope, *, now: datetime,
                         domain: str) -> None:
    registration = outcome.registration
    kind, status = _KIND_AND_STATUS[type(outcome)]
    details = _details(outcome)
    await registrations.save(conn, registration, status, envelope.occurred_at,
                             waitlist_position=details.get("waitlist_position"))
    method = _calendar_method(kind, details)
    if method is not None:
        sequences = await registrations.next_calendar_sequences(conn, [registration.registration_id])
        details |= {"calendar_method": method.value, "calendar_sequence": sequences[registration.registration_id]}
    await emails.add(conn, [registrant_email(kind, _registrant(registration), details)], domain,
                     trace_context=trace_headers(envelope.correlation_id))

    event = await get_event(conn, registration.event_id)
    session = next((s for s in event.sessions if s.id == registration.session_id), None) if event else None
    if session is None:
        # The registrant's email waits for the catalog's data; whom to tell is only known from it.
        log.warning("session %s of registration %s is not in the local copy of the catalog: no contact person is told",
                    registration.session_id, registration.registration_id)
        return
    await contact_notices.add(conn, session.contact_persons, registration_id=registration.registration_id,
                              event_id=registration.event_id, session_id=registration.session_id, happened=kind,
                              noticed_at=now)
