"""The service's rules without any I/O: when notices are due, which event changes count, Message-IDs."""

from datetime import UTC, datetime, timedelta

import pytest

from notification.domain.event_changes import what_changed
from notification.domain.model import message_id
from notification.domain.schedule import digest_day, notice_due
from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.local_time import BERLIN

from .scenario import EVENT

WINDOW = timedelta(minutes=5)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_a_coalesced_notice_is_due_one_window_after_the_first_thing_it_lists() -> None:
    first = berlin(2027, 3, 1, 9, 0)
    assert not notice_due(first, first + WINDOW - timedelta(seconds=1), WINDOW)
    assert notice_due(first, first + WINDOW, WINDOW)


@pytest.mark.parametrize(("first", "now", "expected"), [
    (berlin(2027, 3, 1, 6, 0), berlin(2027, 3, 1, 6, 59), None),  # before the hour
    (berlin(2027, 3, 1, 6, 0), berlin(2027, 3, 1, 7, 0), berlin(2027, 3, 1, 7, 0).date()),
    (berlin(2027, 3, 1, 6, 0), berlin(2027, 3, 1, 15, 0), berlin(2027, 3, 1, 7, 0).date()),  # missed: catch up
    (berlin(2027, 3, 1, 7, 30), berlin(2027, 3, 1, 15, 0), None),  # came after today's: tomorrow's digest
    (berlin(2027, 3, 1, 7, 30), berlin(2027, 3, 2, 7, 0), berlin(2027, 3, 2, 7, 0).date()),
    # The hour is Berlin time: 06:00 UTC in winter, 05:00 UTC in summer (from 28 March 2027).
    (berlin(2027, 3, 1, 1, 0), datetime(2027, 3, 1, 6, 0, tzinfo=UTC), berlin(2027, 3, 1, 7, 0).date()),
    (berlin(2027, 3, 29, 1, 0), datetime(2027, 3, 29, 4, 59, tzinfo=UTC), None),
    (berlin(2027, 3, 29, 1, 0), datetime(2027, 3, 29, 5, 0, tzinfo=UTC), berlin(2027, 3, 29, 7, 0).date()),
])
def test_the_daily_digest_is_due_at_the_hour_for_what_waited_since_before_it(first, now, expected) -> None:
    assert digest_day(first, now, 7) == expected


def test_only_a_cancellation_or_a_new_time_or_venue_is_worth_telling() -> None:
    assert what_changed(EVENT, EVENT.model_copy(update={"description": "Anders beschrieben."})) is None
    cancelled = what_changed(EVENT, EVENT.model_copy(update={"status": EventStatus.cancelled}))
    assert cancelled is not None and cancelled.cancelled
    later = what_changed(EVENT, EVENT.model_copy(update={"ends_at": EVENT.ends_at + timedelta(hours=1)}))
    assert later is not None and not later.cancelled and later.previous_ends_at == EVENT.ends_at
    elsewhere = what_changed(EVENT, EVENT.model_copy(update={"venue_name": "Stadthalle"}))
    assert elsewhere is not None and elsewhere.details()["previous"]["venue_name"] == EVENT.venue_name
    # Told once: what happens to a cancelled event afterwards is nobody's email.
    gone = EVENT.model_copy(update={"status": EventStatus.cancelled})
    assert what_changed(gone, gone.model_copy(update={"venue_name": "Stadthalle"})) is None


def test_the_message_id_is_the_same_for_the_same_email_and_does_not_show_the_address() -> None:
    key = "confirmed:0b6b4c52-93cb-4f0e-8d55-3c2b0a6f7d21:anna@firma.example.de"
    assert message_id(key, "beispielstadt.example.de") == message_id(key, "beispielstadt.example.de")
    assert message_id(key, "beispielstadt.example.de") != message_id(key + ":x", "beispielstadt.example.de")
    assert "anna" not in message_id(key, "beispielstadt.example.de")
    assert message_id(key, "beispielstadt.example.de").endswith("@beispielstadt.example.de>")
