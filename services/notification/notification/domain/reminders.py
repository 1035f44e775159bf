"""When an event's confirmed participants are reminded of it (the event's `ReminderSchedule`).

The reminder is due `days_before` the day the event starts, at `local_time`, both in Europe/Berlin:
the day is the local one (an event at 00:30 is on the day Berlin says, not UTC), and the time keeps
its local meaning across a change to or from summer time. A time that does not exist on that day
(02:30 when the clocks jump to 03:00) is the moment the clocks read as 03:30 then; one that occurs
twice (02:30 when they go back) is the first of the two.

A reminder at or after the event's start reminds of nothing: there is none. A participant confirmed
only after the reminder was due has just had the confirmation with the calendar file: none either.
A reminder missed while the service was down goes out when it is back, as long as the event has not
started.
"""

from datetime import UTC, datetime, timedelta

from treffpunkt_shared.contracts.catalog import Event, EventStatus, ReminderSchedule
from treffpunkt_shared.local_time import BERLIN

from .model import RegistrationStatus

# Events whose reminders can be due: those that are on. A draft has no registrations, a cancelled event
# is called off (its registrants were told so).
REMINDED_STATUSES = (EventStatus.published, EventStatus.closed)


def reminder_at(starts_at: datetime, schedule: ReminderSchedule) -> datetime | None:
    """When the reminder of an event starting at `starts_at` is due (in UTC), if it has one."""
    if not schedule.enabled:
        return None
    day = starts_at.astimezone(BERLIN).date() - timedelta(days=schedule.days_before)
    # Through UTC: zoneinfo gives a time in the gap the offset from before the jump (fold=0), which is
    # the moment meant; the round trip makes it a real instant.
    at = datetime.combine(day, schedule.time_of_day, tzinfo=BERLIN).astimezone(UTC)
    return at if at < starts_at else None


def reminder_due(starts_at: datetime, schedule: ReminderSchedule, now: datetime) -> datetime | None:
    """The time the reminder was due, if it is due now: its time has come and the event has not started."""
    at = reminder_at(starts_at, schedule)
    return at if at is not None and at <= now < starts_at else None


def reminder_withdrawn(status: RegistrationStatus, event: Event, now: datetime) -> str | None:
    """Why a queued reminder must not go out after all, if it must not: it was due when it was queued,
    but the registrant may have cancelled, or the event may be off, since (an SMTP server that was away
    kept it waiting)."""
    if status is not RegistrationStatus.confirmed:
        return f"the registration is {status.value} now"
    if event.status not in REMINDED_STATUSES:
        return f"the event is {event.status.value} now"
    if reminder_at(event.starts_at, event.reminder) is None:
        return "the event's reminder is switched off now"
    if now >= event.starts_at:
        return "the event has started"
    return None
