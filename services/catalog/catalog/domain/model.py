"""The catalog's aggregates and the rules each must keep."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self
from uuid import UUID

from treffpunkt_shared.contracts.catalog import DEFAULT_RETENTION_DAYS, EventStatus, OrganisationKind, ReminderSchedule
from treffpunkt_shared.errors import Conflict, InvalidField

from .seats import Seats
from .status import StatusChange, next_status


def require_distinct(field_name: str, ids: Sequence[UUID]) -> None:
    seen: set[UUID] = set()
    for index, id in enumerate(ids):
        if id in seen:
            raise InvalidField(field_name, f"{id} is listed more than once.", index=index)
        seen.add(id)


@dataclass(frozen=True)
class Organisation:
    id: UUID
    name: str
    kind: OrganisationKind
    website: str | None = None
    controller: str | None = None
    privacy_notice_url: str | None = None
    privacy_notice_version: str | None = None
    privacy_notice_sha256: str | None = None


@dataclass(frozen=True)
class ContactPerson:
    id: UUID
    organisation_id: UUID
    name: str
    email: str
    role: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Programme:
    """A programme or measure, e.g. a master plan, possibly linked to related ones."""

    id: UUID
    title: str
    description: str = ""
    kind: str | None = None
    responsible_offices: tuple[str, ...] = ()
    linked_programme_ids: tuple[UUID, ...] = ()

    def __post_init__(self) -> None:
        require_distinct("linked_programme_ids", self.linked_programme_ids)
        if self.id in self.linked_programme_ids:
            raise InvalidField("linked_programme_ids", "A programme cannot be linked to itself.",
                               index=self.linked_programme_ids.index(self.id))


# Each schedule rule relates two fields: when a change breaks it, the changed one is to blame.
_SCHEDULE_PARTNER = {"ends_at": "starts_at", "registration_deadline": "starts_at"}


@dataclass(frozen=True)
class Event:
    id: UUID
    title: str
    venue_name: str
    starts_at: datetime
    ends_at: datetime
    registration_deadline: datetime
    status: EventStatus = EventStatus.draft
    description: str = ""
    programme_id: UUID | None = None
    organiser_ids: tuple[UUID, ...] = ()
    venue_address: str = ""
    what_to_bring: str | None = None
    reminder: ReminderSchedule = field(default_factory=ReminderSchedule)
    retention_days: int = DEFAULT_RETENTION_DAYS

    def __post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise InvalidField("ends_at", "The event must end after it starts.")
        if self.registration_deadline > self.starts_at:
            raise InvalidField("registration_deadline", "The registration deadline must not be after the start.")
        require_distinct("organiser_ids", self.organiser_ids)

    def require_changeable(self) -> None:
        if self.status is EventStatus.cancelled:
            raise Conflict("The event is cancelled; it can no longer be changed.")

    def revised(self, **changes: Any) -> Self:
        self.require_changeable()
        try:
            return replace(self, **changes)
        except InvalidField as error:
            partner = _SCHEDULE_PARTNER.get(error.field)
            if error.field not in changes and partner in changes:
                raise InvalidField(partner, error.message) from None
            raise

    def with_status(self, change: StatusChange) -> Self:
        return replace(self, status=next_status(self.status, change))


@dataclass(frozen=True)
class Session:
    """One of an event's parallel sessions; people register for a session."""

    id: UUID
    event_id: UUID
    position: int
    title: str
    capacity: int
    waitlist_size: int = 0
    description: str = ""
    contact_person_ids: tuple[UUID, ...] = ()
    seats_allocated: int = 0
    waitlist_count: int = 0

    def __post_init__(self) -> None:
        _ = self.seats  # building them checks the limits against the counters
        require_distinct("contact_person_ids", self.contact_person_ids)

    @property
    def seats(self) -> Seats:
        return Seats(self.capacity, self.waitlist_size, self.seats_allocated, self.waitlist_count)
