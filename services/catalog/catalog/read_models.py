"""What the catalog shows: staff see the published snapshots plus the seat counters; the public sees
published events with the seats still free."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field, computed_field

from treffpunkt_shared.contracts.catalog import ContactPerson, Event, EventStatus, Organisation, Session

from .domain.seats import Seats
from .domain.status import registration_open


class StaffSession(Session):
    """A session with its seat ledger's counters."""

    seats_allocated: int = Field(description="Seats allocated to registrants.")
    waitlist_count: int = Field(description="People on the waiting list.")

    @property
    def seats(self) -> Seats:
        return Seats(self.capacity, self.waitlist_size, self.seats_allocated, self.waitlist_count)

    @computed_field(description="Seats not yet allocated.")
    @property
    def seats_free(self) -> int:
        return self.seats.seats_free

    @computed_field(description="No seat is free, but a registration would get a place on the waiting list.")
    @property
    def waitlist_open(self) -> bool:
        return self.seats.waitlist_open


class StaffEvent(Event):
    """An event in any status, with its sessions and their seat counters."""

    sessions: list[StaffSession] = Field(default_factory=list, description="The parallel sessions, in order.")

    def snapshot(self) -> Event:
        """The state other services copy (`EventSaved`): without the counters, which change by the second."""
        return Event.model_validate(self.model_dump())


class PublicSession(BaseModel):
    id: UUID = Field(description="The session's id; registrations name it.")
    position: int = Field(description="Order among the event's parallel sessions, from 1.")
    title: str = Field(description="Title of the session.")
    description: str = Field(description="What the session is about.")
    capacity: int = Field(description="Seats.")
    seats_free: int = Field(description="Seats still free.")
    waitlist_open: bool = Field(description="No seat is free, but a registration would get a place on the waiting list.")
    contact_persons: list[ContactPerson] = Field(description="Who to ask about the session.")


class PublicEvent(BaseModel):
    id: UUID = Field(description="The event's id.")
    title: str = Field(description="Title of the event.")
    description: str = Field(description="What the event is about.")
    status: EventStatus = Field(description="published, or closed when it takes no more registrations.")
    registration_open: bool = Field(description="Published and the registration deadline has not passed.")
    programme_id: UUID | None = Field(description="The programme or measure the event belongs to.")
    organisers: list[Organisation] = Field(description="Organising organisations; the first with a privacy notice "
                                           "names the controller of the registrants' data and links its notice.")
    venue_name: str = Field(description="Where it takes place.")
    venue_address: str = Field(description="Address of the venue.")
    starts_at: datetime = Field(description="Start, with time zone.")
    ends_at: datetime = Field(description="End, with time zone.")
    registration_deadline: datetime = Field(description="Registrations are accepted until then.")
    what_to_bring: str | None = Field(description="What participants should bring, if anything.")
    sessions: list[PublicSession] = Field(description="The parallel sessions, in order.")
    retention_days: int = Field(description="The registrants' personal data is erased this many days after the end.")

    @classmethod
    def of(cls, event: StaffEvent, now: datetime) -> "PublicEvent":
        return cls.model_validate(
            event.model_dump() | {"registration_open": registration_open(event.status, event.registration_deadline, now)}
        )
