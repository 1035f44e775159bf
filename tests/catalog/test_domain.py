"""The catalog's rules, without I/O."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from catalog.domain.model import Event, Programme, Session
from catalog.domain.seats import Seats
from catalog.domain.status import StatusChange, next_status, registration_open
from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.errors import Conflict, InvalidField

START = datetime(2027, 3, 10, 13, 0, tzinfo=UTC)


def event(**overrides) -> Event:
    values = dict(id=uuid4(), title="Wirtschaft trifft Verwaltung", venue_name="Rathaus", starts_at=START,
                  ends_at=START + timedelta(hours=3), registration_deadline=START - timedelta(days=7))
    return Event(**values | overrides)


def field_of(error: pytest.ExceptionInfo[InvalidField]) -> str:
    return error.value.field


def test_an_event_ends_after_it_starts():
    with pytest.raises(InvalidField) as error:
        event(ends_at=START)
    assert field_of(error) == "ends_at"
    assert "end after it starts" in error.value.message


def test_registration_closes_at_the_start_at_the_latest():
    assert event(registration_deadline=START).registration_deadline == START
    with pytest.raises(InvalidField) as error:
        event(registration_deadline=START + timedelta(minutes=1))
    assert field_of(error) == "registration_deadline"


def test_a_revision_that_breaks_the_schedule_blames_the_field_it_changed():
    original = event()
    with pytest.raises(InvalidField) as error:
        original.revised(starts_at=START + timedelta(days=1))
    # The new start lies after the end and after the deadline; the start is what was changed.
    assert field_of(error) == "starts_at"
    with pytest.raises(InvalidField) as error:
        original.revised(ends_at=START - timedelta(hours=1))
    assert field_of(error) == "ends_at"


def test_an_organiser_is_listed_once():
    organiser = uuid4()
    with pytest.raises(InvalidField) as error:
        event(organiser_ids=(uuid4(), organiser, organiser))
    assert (error.value.field, error.value.index) == ("organiser_ids", 2)


@pytest.mark.parametrize(
    ("current", "change", "expected"),
    [
        (EventStatus.draft, StatusChange.publish, EventStatus.published),
        (EventStatus.draft, StatusChange.cancel, EventStatus.cancelled),
        (EventStatus.published, StatusChange.close, EventStatus.closed),
        (EventStatus.published, StatusChange.cancel, EventStatus.cancelled),
        (EventStatus.closed, StatusChange.publish, EventStatus.published),
        (EventStatus.closed, StatusChange.cancel, EventStatus.cancelled),
    ],
)
def test_allowed_status_changes(current, change, expected):
    assert next_status(current, change) is expected


@pytest.mark.parametrize(
    ("current", "change", "message"),
    [
        (EventStatus.draft, StatusChange.close, "A draft event cannot be closed; allowed: publish, cancel."),
        (EventStatus.published, StatusChange.publish, "The event is already published."),
        (EventStatus.closed, StatusChange.close, "The event is already closed."),
        (EventStatus.cancelled, StatusChange.publish, "The event is cancelled; that is final."),
        (EventStatus.cancelled, StatusChange.close, "The event is cancelled; that is final."),
        (EventStatus.cancelled, StatusChange.cancel, "The event is already cancelled."),
    ],
)
def test_refused_status_changes_say_why(current, change, message):
    with pytest.raises(Conflict) as error:
        next_status(current, change)
    assert error.value.message == message


def test_a_cancelled_event_can_no_longer_be_changed():
    cancelled = event().with_status(StatusChange.cancel)
    with pytest.raises(Conflict):
        cancelled.revised(title="Neuer Titel")


def test_registration_is_open_while_published_and_before_the_deadline():
    deadline = START - timedelta(days=7)
    assert registration_open(EventStatus.published, deadline, deadline)
    assert not registration_open(EventStatus.published, deadline, deadline + timedelta(seconds=1))
    assert not registration_open(EventStatus.closed, deadline, deadline - timedelta(days=1))
    assert not registration_open(EventStatus.draft, deadline, deadline - timedelta(days=1))


@pytest.mark.parametrize(
    ("seats", "field"),
    [
        (dict(capacity=-1, waitlist_size=0), "capacity"),
        (dict(capacity=10, waitlist_size=-1), "waitlist_size"),
        (dict(capacity=10, waitlist_size=5, seats_allocated=11), "capacity"),
        (dict(capacity=10, waitlist_size=5, seats_allocated=10, waitlist_count=6), "waitlist_size"),
    ],
)
def test_limits_are_not_negative_nor_below_what_is_taken(seats, field):
    with pytest.raises(InvalidField) as error:
        Seats(**seats)
    assert field_of(error) == field


def test_free_seats_and_the_waiting_list():
    assert Seats(capacity=25, waitlist_size=10).seats_free == 25
    assert not Seats(capacity=25, waitlist_size=10).waitlist_open
    full = Seats(capacity=25, waitlist_size=10, seats_allocated=25, waitlist_count=9)
    assert (full.seats_free, full.waitlist_open) == (0, True)
    assert not Seats(capacity=25, waitlist_size=10, seats_allocated=25, waitlist_count=10).waitlist_open
    assert not Seats(capacity=25, waitlist_size=0, seats_allocated=25).waitlist_open


def test_a_session_keeps_the_seat_rules_and_lists_a_contact_person_once():
    person = uuid4()
    session = dict(id=uuid4(), event_id=uuid4(), position=1, title="City-Logistik")
    with pytest.raises(InvalidField) as error:
        Session(**session, capacity=-5)
    assert field_of(error) == "capacity"
    with pytest.raises(InvalidField) as error:
        Session(**session, capacity=25, contact_person_ids=(person, person))
    assert (error.value.field, error.value.index) == ("contact_person_ids", 1)


def test_a_programme_is_not_linked_to_itself():
    programme_id = uuid4()
    with pytest.raises(InvalidField) as error:
        Programme(id=programme_id, title="Masterplan Industrie", linked_programme_ids=(uuid4(), programme_id))
    assert (error.value.field, error.value.index) == ("linked_programme_ids", 1)
