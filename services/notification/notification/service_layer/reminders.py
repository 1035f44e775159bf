"""Reminding the confirmed participants of their event (see `domain.reminders` for when).

Nothing is queued before it is due: each round reads the events' schedules from the local copy of the
catalog as it is then, so an event that was cancelled, or whose schedule moved or was switched off,
is reminded by the schedule it has now, or not at all. The email is the usual row with a dedup key
(kind, registration, recipient): one reminder per participant, whatever the number of rounds,
restarts or replicas. The sender checks again when it sends (`reminder_withdrawn`).
"""

from datetime import datetime, timedelta

import asyncpg

from treffpunkt_shared.contracts.catalog import MAX_REMINDER_DAYS_BEFORE
from treffpunkt_shared.contracts.delivery import EmailKind

from ..adapters import catalog, emails, registrations
from ..domain.model import CalendarMethod, registrant_email
from ..domain.reminders import REMINDED_STATUSES, reminder_due

# The furthest ahead an event's reminder can be due: its start day less the most days a schedule allows.
_HORIZON = timedelta(days=MAX_REMINDER_DAYS_BEFORE + 1)


async def queue_due_reminders(pool: asyncpg.Pool, *, now: datetime, domain: str) -> int:
    """Queue the reminders that are due now; how many were queued."""
    queued = 0
    for event in await catalog.reminders_of_events_starting(pool, REMINDED_STATUSES, after=now, until=now + _HORIZON):
        due_at = reminder_due(event.starts_at, event.schedule, now)
        if due_at is None:
            continue
        async with pool.acquire() as conn, conn.transaction():
            people = await registrations.to_remind(conn, event.event_id, confirmed_by=due_at)
            if not people:
                continue
            # The calendar file comes again, as the entry they have: a later SEQUENCE of the same UID.
            sequences = await registrations.next_calendar_sequences(conn, [p.id for p in people])
            reminders = [
                registrant_email(EmailKind.reminder, person.registrant(), {
                    "calendar_method": CalendarMethod.request.value, "calendar_sequence": sequences[person.id][0],
                    "reminder_at": due_at.isoformat()})
                for person in people
            ]
            queued += len(await emails.add(conn, reminders, domain))
    return queued
