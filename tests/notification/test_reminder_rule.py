"""When an event's reminder is due, without any I/O: days before the local start day, at a local time in
Europe/Berlin whatever the offset (summer time from 28 March 2027, winter time from 31 October 2027),
and whether a queued reminder still applies when it is to go out."""

from datetime import UTC, datetime

import pytest

from notification.domain.model import RegistrationStatus
from notification.domain.reminders import reminder_at, reminder_due, reminder_withdrawn
from treffpunkt_shared.contracts.catalog import EventStatus, ReminderSchedule
from treffpunkt_shared.local_time import BERLIN

from .scenario import EVENT

DEFAULT = ReminderSchedule()


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("starts_at", "schedule", "expected"), [
    # The default: two days before at 09:00, which is 08:00 UTC in winter and 07:00 UTC in summer.
    (berlin(2027, 3, 10, 14, 0), DEFAULT, utc(2027, 3, 8, 8, 0)),
    (berlin(2027, 6, 10, 14, 0), DEFAULT, utc(2027, 6, 8, 7, 0)),
    # The event in summer time, its reminder still in winter time, and the other way round.
    (berlin(2027, 3, 29, 10, 0), DEFAULT, utc(2027, 3, 27, 8, 0)),
    (berlin(2027, 3, 30, 10, 0), DEFAULT, utc(2027, 3, 28, 7, 0)),
    (berlin(2027, 11, 1, 10, 0), DEFAULT, utc(2027, 10, 30, 7, 0)),
    (berlin(2027, 11, 2, 10, 0), DEFAULT, utc(2027, 10, 31, 8, 0)),
    # The start day is Berlin's: 00:30 on 10 June is still 9 June in UTC.
    (berlin(2027, 6, 10, 0, 30), DEFAULT, utc(2027, 6, 8, 7, 0)),
    # A time the clocks skip is the moment they read as an hour later; one they read twice, the first.
    (berlin(2027, 3, 30, 10, 0), ReminderSchedule(local_time="02:30"), berlin(2027, 3, 28, 3, 30)),
    (berlin(2027, 11, 2, 10, 0), ReminderSchedule(local_time="02:30"), utc(2027, 10, 31, 0, 30)),
    # Changed by staff; on the day itself.
    (berlin(2027, 3, 10, 14, 0), ReminderSchedule(days_before=1, local_time="18:00"), utc(2027, 3, 9, 17, 0)),
    (berlin(2027, 3, 10, 14, 0), ReminderSchedule(days_before=0, local_time="07:30"), utc(2027, 3, 10, 6, 30)),
    # None: switched off, or not before the start.
    (berlin(2027, 3, 10, 14, 0), ReminderSchedule(enabled=False), None),
    (berlin(2027, 3, 10, 14, 0), ReminderSchedule(days_before=0, local_time="14:00"), None),
    (berlin(2027, 3, 10, 8, 0), ReminderSchedule(days_before=0, local_time="09:00"), None),
])
def test_the_reminder_is_due_days_before_the_local_start_day_at_the_local_time(starts_at, schedule, expected) -> None:
    assert reminder_at(starts_at, schedule) == expected


def test_a_reminder_is_due_from_its_time_until_the_event_starts() -> None:
    starts_at = berlin(2027, 3, 10, 14, 0)
    at = utc(2027, 3, 8, 8, 0)
    assert reminder_due(starts_at, DEFAULT, berlin(2027, 3, 8, 8, 59)) is None
    assert reminder_due(starts_at, DEFAULT, at) == at
    assert reminder_due(starts_at, DEFAULT, berlin(2027, 3, 10, 13, 59)) == at  # missed while down: caught up
    assert reminder_due(starts_at, DEFAULT, starts_at) is None
    assert reminder_due(starts_at, ReminderSchedule(enabled=False), at) is None


def test_a_queued_reminder_is_withdrawn_when_it_no_longer_applies() -> None:
    before = berlin(2027, 3, 9, 9, 0)
    assert reminder_withdrawn(RegistrationStatus.confirmed, EVENT, before) is None
    assert reminder_withdrawn(RegistrationStatus.cancelled, EVENT, before) == "the registration is cancelled now"
    assert reminder_withdrawn(RegistrationStatus.confirmed, EVENT.model_copy(update={"status": EventStatus.cancelled}),
                              before) == "the event is cancelled now"
    off = EVENT.model_copy(update={"reminder": ReminderSchedule(enabled=False)})
    assert reminder_withdrawn(RegistrationStatus.confirmed, off, before) == "the event's reminder is switched off now"
    assert reminder_withdrawn(RegistrationStatus.confirmed, EVENT, EVENT.starts_at) == "the event has started"
