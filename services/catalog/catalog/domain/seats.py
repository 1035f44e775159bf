"""A session's seats and waiting list: limits set by staff, counters kept by the seat ledger."""

from dataclasses import dataclass

from treffpunkt_shared.errors import InvalidField


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


@dataclass
class Allotment:
    """Hands out a session's seats, then its waiting-list places, one request after the other, from
    its counters as they were read under the session's lock; what was handed out (`seats_taken`,
    `places_taken`) is then added to the stored counters in one write."""

    capacity: int
    waitlist_size: int
    seats_allocated: int
    waitlist_count: int
    waitlist_last_sequence: int
    seats_taken: int = 0
    places_taken: int = 0

    def take_seat(self) -> bool:
        if self.seats_allocated + self.seats_taken >= self.capacity:
            return False
        self.seats_taken += 1
        return True

    def take_waitlist_place(self) -> int | None:
        """The new place's sequence on the waiting list, or None when the list is full."""
        if self.waitlist_count + self.places_taken >= self.waitlist_size:
            return None
        self.places_taken += 1
        return self.waitlist_last_sequence + self.places_taken
