"""The seat rule on plain objects, no database: deciding a request, releasing what a cancelled
registration held, promoting from the waiting list, moving a seat to another session."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from catalog.domain.seats import (
    Allocation,
    AllocationState,
    Refused,
    Released,
    Seat,
    SeatRequest,
    Seats,
    SessionLedger,
    WaitingListPlace,
    announced_again,
    move,
    unknown_session,
)
from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.contracts.seats import MoveRefusal, RejectionReason
from treffpunkt_shared.errors import InvalidField

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
EVENT = uuid4()


def ledger(capacity: int, waitlist_size: int, *, seats_allocated: int = 0, waitlist_count: int = 0,
           status: EventStatus = EventStatus.published, deadline: datetime = NOW + timedelta(days=7)) -> SessionLedger:
    return SessionLedger(session_id=uuid4(), event_id=EVENT, event_status=status, registration_deadline=deadline,
                         capacity=capacity, waitlist_size=waitlist_size, seats_allocated=seats_allocated,
                         waitlist_count=waitlist_count, waitlist_last_sequence=waitlist_count)


def request(session: SessionLedger, *, at: datetime = NOW) -> SeatRequest:
    return SeatRequest(registration_id=uuid4(), event_id=EVENT, session_id=session.session_id, requested_at=at)


def counters(session: SessionLedger) -> tuple[int, int, int]:
    return session.seats_allocated, session.waitlist_count, session.waitlist_last_sequence


def test_a_seat_while_there_is_one():
    session = ledger(1, 1)
    asked = request(session)

    decision = session.decide(asked)

    assert isinstance(decision, Seat)
    assert decision.allocation.registration_id == asked.registration_id
    assert decision.allocation.state is AllocationState.allocated
    assert counters(session) == (1, 0, 0)


def test_then_a_place_on_the_waiting_list_in_order():
    session = ledger(1, 2, seats_allocated=1)

    first, second = session.decide(request(session)), session.decide(request(session))

    assert isinstance(first, WaitingListPlace) and isinstance(second, WaitingListPlace)
    assert [first.allocation.waitlist_sequence, second.allocation.waitlist_sequence] == [1, 2]
    assert counters(session) == (1, 2, 2)


def test_refused_as_full_when_seats_and_waiting_list_are_taken():
    session = ledger(1, 1, seats_allocated=1, waitlist_count=1)

    decision = session.decide(request(session))
    assert isinstance(decision, Refused) and decision.reason is RejectionReason.full
    assert counters(session) == (1, 1, 1)


@pytest.mark.parametrize("status", [EventStatus.closed, EventStatus.draft, EventStatus.cancelled])
def test_refused_as_closed_unless_published(status):
    session = ledger(5, 5, status=status)

    decision = session.decide(request(session))

    assert isinstance(decision, Refused) and decision.reason is RejectionReason.closed
    assert counters(session) == (0, 0, 0)


def test_refused_after_the_deadline_by_the_time_of_the_request():
    session = ledger(5, 5, deadline=NOW)

    on_time, late = session.decide(request(session, at=NOW)), session.decide(request(session, at=NOW + timedelta(seconds=1)))

    assert isinstance(on_time, Seat)
    assert isinstance(late, Refused) and late.reason is RejectionReason.deadline_passed
    assert counters(session) == (1, 0, 0)


def test_a_session_of_another_event_or_none_is_unknown():
    session = ledger(5, 5)
    elsewhere = replace(request(session), event_id=uuid4())

    assert session.decide(elsewhere).reason is RejectionReason.unknown_session
    assert unknown_session(elsewhere).reason is RejectionReason.unknown_session
    assert counters(session) == (0, 0, 0)


def test_capacity_raised_promotes_the_head_of_the_waiting_list():
    session = ledger(1, 3, seats_allocated=1)
    waiting = [session.decide(request(session)).allocation for _ in range(3)]

    session.capacity = 3
    promoted = session.promote(list(reversed(waiting)))

    assert promoted == waiting[:2]
    assert all(a.state is AllocationState.allocated and a.promoted for a in promoted)
    assert waiting[2].state is AllocationState.waitlisted
    assert counters(session) == (3, 1, 3)


def test_capacity_lowered_never_below_what_is_taken_and_gives_no_seat_meanwhile():
    with pytest.raises(InvalidField) as refused:
        Seats(capacity=1, waitlist_size=0, seats_allocated=2)
    assert refused.value.field == "capacity"

    session = ledger(2, 1, seats_allocated=2)  # lowered from 3 to what is taken
    assert session.seats_free == 0
    assert isinstance(session.decide(request(session)), WaitingListPlace)
    assert session.promote([]) == []


def test_a_waitlisted_person_cancelling_gives_back_the_place_and_promotes_nobody():
    session = ledger(1, 2, seats_allocated=1)
    place = session.decide(request(session)).allocation

    released = session.release(place)

    assert released is Released.waitlist
    assert place.state is AllocationState.released
    assert counters(session) == (1, 0, 1)  # the sequence goes on: places stay first come, first served
    assert session.seats_free == 0


def test_a_freed_seat_goes_to_the_head_of_the_waiting_list():
    session = ledger(1, 2)
    seat = session.decide(request(session)).allocation
    head, next_one = (session.decide(request(session)).allocation for _ in range(2))

    assert session.release(seat) is Released.seat
    promoted = session.promote([next_one, head])

    assert promoted == [head]
    assert head.state is AllocationState.allocated and head.promoted
    assert next_one.state is AllocationState.waitlisted
    assert counters(session) == (1, 1, 2)


def test_releasing_again_or_nothing_held_releases_nothing():
    session = ledger(1, 0)
    seat = session.decide(request(session)).allocation
    session.release(seat)

    assert session.release(seat) is Released.nothing
    assert session.release(None) is Released.nothing
    assert counters(session) == (0, 0, 0)


def test_an_allocation_carries_what_the_ledger_stores():
    session = ledger(1, 0)
    asked = request(session)

    allocation = session.decide(asked).allocation

    assert allocation == Allocation(registration_id=asked.registration_id, session_id=session.session_id,
                                    event_id=EVENT, state=AllocationState.allocated, waitlist_sequence=None,
                                    requested_at=NOW)


def test_a_repeated_request_is_answered_with_what_the_registration_holds_and_takes_nothing():
    session = ledger(1, 1)
    seat, place = (session.decide(request(session)).allocation for _ in range(2))
    before = counters(session)

    assert announced_again(seat) == Seat(seat)
    assert announced_again(place) == WaitingListPlace(place)
    assert announced_again(None) is None
    assert counters(session) == before  # announcing again takes nothing
    session.release(seat)
    assert announced_again(seat) is None  # given back: nothing to announce


def test_a_held_seat_moves_to_a_session_with_a_free_one_and_nowhere_else():
    old, new, full = ledger(1, 1), ledger(2, 0, seats_allocated=1), ledger(1, 0, seats_allocated=1)
    held = old.decide(request(old)).allocation
    assert move(held, old, full) is MoveRefusal.full
    assert (counters(old), counters(full), held.session_id) == ((1, 0, 0), (1, 0, 0), old.session_id)
    waiting = old.decide(request(old)).allocation
    assert move(waiting, old, new) is MoveRefusal.not_held  # a waiting-list place is no seat to move
    assert move(held, old, old) is MoveRefusal.unknown_session
    assert move(held, old, replace(new, event_id=uuid4())) is MoveRefusal.unknown_session

    assert move(held, old, new) is None
    assert (held.session_id, held.state) == (new.session_id, AllocationState.allocated)
    assert (old.seats_allocated, new.seats_allocated) == (0, 2)
    assert old.promote([waiting]) == [waiting]  # the seat given back goes to the head of the waiting list
    assert move(held, old, new) is MoveRefusal.not_held  # it is not in the old session any more
