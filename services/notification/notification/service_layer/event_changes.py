"""The catalog's events: kept in the local copy, and when an event is cancelled or moves (time or
venue), everyone still registered for it is told, with an updated or cancelled calendar entry."""

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from treffpunkt_shared.catalog_copy import save_event
from treffpunkt_shared.contracts.catalog import EventSaved
from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.messaging.consumer import Received, one_by_one
from treffpunkt_shared.tracing import trace_headers

from ..adapters import catalog, emails, registrations
from ..domain.event_changes import EventChange, what_changed
from ..domain.model import CalendarMethod, RegistrationStatus, registrant_email
from .handling import HandlerDependencies


async def apply_events_saved(conn: asyncpg.Connection, messages: Sequence[Received[EventSaved]],
                             dependencies: HandlerDependencies) -> None:
    """The handler of `EventSaved`: each snapshot into the local copy, and the registrants told of a change.
    The catalog's other messages reach the copy inside the event snapshots that show what they changed."""
    for message in one_by_one(messages):
        await apply_event_saved(conn, message.payload, message.envelope, domain=dependencies.domain)


async def apply_event_saved(conn: asyncpg.Connection, payload: EventSaved, envelope: Envelope, *, domain: str) -> None:
    stored = await catalog.event_for_update(conn, payload.event.id)
    await save_event(conn, payload.event, envelope)
    if stored is None or stored.saved_at > envelope.occurred_at:
        return  # a first snapshot, or an older one than the copy has: nothing changed for anyone
    change = what_changed(stored.event, payload.event)
    if change is not None:
        await tell_registered(conn, payload.event.id, change, occasion=str(envelope.event_id), domain=domain,
                              trace_context=trace_headers(envelope.correlation_id))


async def tell_registered(conn: asyncpg.Connection, event_id: UUID, change: EventChange, *, occasion: str,
                          domain: str, trace_context: dict[str, str] | None = None) -> None:
    people = await registrations.still_registered(conn, event_id)
    # Those with a seat have the event in their calendar: their entry is updated or removed.
    sequences = await registrations.next_calendar_sequences(
        conn, [p.id for p in people if p.status is RegistrationStatus.confirmed])
    if change.cancelled:
        kind, method, email_occasion = EmailKind.event_cancelled, CalendarMethod.cancel, None
    else:
        # An event may move more than once: each change is an email of its own.
        kind, method, email_occasion = EmailKind.event_changed, CalendarMethod.request, occasion
    queued = []
    for person in people:
        details = change.details()
        if person.id in sequences:
            details |= {"calendar_method": method.value, "calendar_sequence": sequences[person.id][0]}
        queued.append(registrant_email(kind, person.registrant(), details, occasion=email_occasion))
    await emails.add(conn, queued, domain, trace_contexts=[trace_context or {}] * len(queued))
