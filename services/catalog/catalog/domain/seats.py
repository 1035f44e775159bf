"""A session's seats and waiting list: limits set by staff (`Seats`), and the seat rule that the seat
ledger follows (`SessionLedger`): deciding a request, releasing what a cancelled registration held, and
promoting from the waiting list. Plain objects: the adapter loads them and stores what they became."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.contracts.seats import MoveRefusal, RejectionReason
from treffpunkt_shared.errors import InvalidField

from .status import registration_open


@dataclass(frozen=True)
class Seats:
    capacity: int
    waitlist_size: int
    seats_allocated: int = 0
    waitlist_count: int = 0

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise InvalidField("capacity", "The capacity cannot be negative.")
        if self.waitlist_size < 0:
            raise InvalidField("waitlist_size", "The size of the waiting list cannot be negative.")
        # Lowering a limit must not take away what registrants already hold.
        if self.capacity < self.seats_allocated:
            raise InvalidField(
                "capacity", f"{self.seats_allocated} seats are already allocated; the capacity cannot be lower."
            )
        if self.waitlist_size < self.waitlist_count:
            raise InvalidField(
                "waitlist_size",
                f"{self.waitlist_count} people are on the waiting list; its size cannot be lower.",
            )

    @property
    def seats_free(self) -> int:
        return self.capacity - self.seats_allocated

    @property
    def waitlist_open(self) -> bool:
        """Whether a registration now would go on the waiting list: no seat free, a place on the list."""
        return self.seats_free == 0 and self.waitlist_count < self.waitlist_size


class AllocationState(StrEnum):
    allocated = "allocated"    # holds a seat
    waitlisted = "waitlisted"  # holds a place on the waiting list
    released = "released"      # gave it back (cancelled)


class Released(StrEnum):
    """What a cancelled registration gave back."""

    seat = "seat"
    waitlist = "waitlist"
    nothing = "nothing"


@dataclass(frozen=True)
class SeatRequest:
    registration_id: UUID
    event_id: UUID
    session_id: UUID
    requested_at: datetime


@dataclass
class Allocation:
    """What one registration holds (or held) in a session: the ledger keeps one per registration that got a
    seat or a place; a refused request leaves none (its decision is the message)."""

    registration_id: UUID
    session_id: UUID
    event_id: UUID
    state: AllocationState
    waitlist_sequence: int | None
    requested_at: datetime
    promoted: bool = False


@dataclass(frozen=True)
class Seat:
    allocation: Allocation


@dataclass(frozen=True)
class WaitingListPlace:
    allocation: Allocation


@dataclass(frozen=True)
class Refused:
    request: SeatRequest
    reason: RejectionReason
    allocation: None = None  # a refused request holds nothing


Decision = Seat | WaitingListPlace | Refused


@dataclass
class SessionLedger:
    """A session's seats and waiting list as the seat ledger decides on them (its row locked meanwhile): the
    event's state, the limits and the counters. Deciding, releasing and promoting change the counters here;
    the adapter stores them as they end up."""

    session_id: UUID
    event_id: UUID
    event_status: EventStatus
    registration_deadline: datetime
    capacity: int
    waitlist_size: int
    seats_allocated: int
    waitlist_count: int
    waitlist_last_sequence: int  # the sequence of the last place ever given: places are first come, first served

    @property
    def seats_free(self) -> int:
        # Never negative, even should the capacity have been lowered below what is taken.
        return max(self.capacity - self.seats_allocated, 0)

    def decide(self, request: SeatRequest) -> Decision:
        """A seat while there is one, else a place on the waiting list while there is one, else refused;
        refused, too, when the event does not take registrations at the time of the request."""
        if request.event_id != self.event_id:
            return Refused(request, RejectionReason.unknown_session)
        if not registration_open(self.event_status, self.registration_deadline, request.requested_at):
            reason = (RejectionReason.deadline_passed if self.event_status is EventStatus.published
                      else RejectionReason.closed)
            return Refused(request, reason)
        if self.seats_free > 0:
            self.seats_allocated += 1
            return Seat(self._allocation(request, AllocationState.allocated, None))
        if self.waitlist_count < self.waitlist_size:
            self.waitlist_count += 1
            self.waitlist_last_sequence += 1
            return WaitingListPlace(self._allocation(request, AllocationState.waitlisted, self.waitlist_last_sequence))
        return Refused(request, RejectionReason.full)

    def release(self, allocation: Allocation | None) -> Released:
        """Give back what a cancelled registration holds (None: it holds nothing here)."""
        if allocation is None or allocation.state is AllocationState.released:
            return Released.nothing
        held = allocation.state
        allocation.state = AllocationState.released
        if held is AllocationState.allocated:
            self.seats_allocated -= 1
            return Released.seat
        self.waitlist_count -= 1
        return Released.waitlist

    def promote(self, waiting: Sequence[Allocation]) -> list[Allocation]:
        """Move the head of the waiting list (`waiting`: those still waiting, in any order) onto every free
        seat; those promoted, in the waiting list's order."""
        head = sorted((a for a in waiting if a.state is AllocationState.waitlisted),
                      key=lambda a: a.waitlist_sequence or 0)[:self.seats_free]
        for allocation in head:
            allocation.state, allocation.promoted = AllocationState.allocated, True
        self.seats_allocated += len(head)
        self.waitlist_count -= len(head)
        return head

    def _allocation(self, request: SeatRequest, state: AllocationState, sequence: int | None) -> Allocation:
        return Allocation(registration_id=request.registration_id, session_id=self.session_id, event_id=self.event_id,
                          state=state, waitlist_sequence=sequence, requested_at=request.requested_at)


def unknown_session(request: SeatRequest) -> Refused:
    """The decision for a request naming a session the catalog does not have."""
    return Refused(request, RejectionReason.unknown_session)


def announced_again(allocation: Allocation | None) -> Seat | WaitingListPlace | None:
    """The decision announced again for a repeated request of a registration that holds `allocation` (None:
    it holds nothing yet): the seat or place it holds, changing nothing; nothing once it gave it back."""
    if allocation is None or allocation.state is AllocationState.released:
        return None
    return Seat(allocation) if allocation.state is AllocationState.allocated else WaitingListPlace(allocation)


def move(allocation: Allocation | None, old: SessionLedger | None, new: SessionLedger | None) -> MoveRefusal | None:
    """Move a held seat from `old` to `new` (sessions of one event), if `new` has a free one: the counters of
    both and the allocation change; the caller then promotes `old`'s waiting list onto the seat given back.
    Else why not, and nothing changed. Staff move regardless of the registration deadline (they decide)."""
    if old is None or new is None or old.session_id == new.session_id or old.event_id != new.event_id:
        return MoveRefusal.unknown_session
    if allocation is None or allocation.state is not AllocationState.allocated or allocation.session_id != old.session_id:
        return MoveRefusal.not_held
    if new.seats_free == 0:
        return MoveRefusal.full
    old.seats_allocated -= 1
    new.seats_allocated += 1
    allocation.session_id = new.session_id
    return None
