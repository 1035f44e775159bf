"""Events of the catalog on `catalog.catalog.v1`: state snapshots for the other services' local copies.

Every change to an organisation, contact person, programme or event is published as the whole new
state of that aggregate, so a consumer keeps its copy with one upsert. An event's snapshot carries
its sessions and their contact persons; when a contact person changes, the catalog publishes the
events whose sessions list them again.
"""

from datetime import datetime, time
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from .envelope import EventPayload, registry

CATALOG_TOPIC = "catalog.catalog.v1"

_ORG_ID = "5b0e8a3c-1f6d-4e49-9f7a-2a8c4d1e0b01"
_CONTACT_ID = "7c2d9e4f-3a1b-4c5d-8e6f-1a2b3c4d5e01"
_PROGRAMME_ID = "9e4f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a01"
_EVENT_ID = "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c01"
_SESSION_ID = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a01"

DEFAULT_RETENTION_DAYS = 180
"""Retention after an event's end when nobody set one (also for snapshots from before there was one)."""


class _Snapshot(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class OrganisationKind(StrEnum):
    chamber_of_commerce = "chamber_of_commerce"
    chamber_of_crafts = "chamber_of_crafts"
    guild_association = "guild_association"
    city_office = "city_office"
    company = "company"
    association = "association"
    other = "other"


class EventStatus(StrEnum):
    draft = "draft"
    published = "published"
    closed = "closed"
    cancelled = "cancelled"


_ORGANISATION_EXAMPLE = {
    "id": _ORG_ID, "name": "Industrie- und Handelskammer Musterstadt",
    "kind": "chamber_of_commerce", "website": "https://ihk.example.org",
    "controller": "Industrie- und Handelskammer Musterstadt, Marktplatz 2, 34117 Musterstadt, datenschutz@ihk.example.org",
    "privacy_notice_url": "https://ihk.example.org/datenschutz/veranstaltungen", "privacy_notice_version": "2026-01",
    "privacy_notice_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
}
_CONTACT_EXAMPLE = {
    "id": _CONTACT_ID, "organisation_id": _ORG_ID,
    "organisation_name": "Industrie- und Handelskammer Musterstadt",
    "name": "Dr. Lena Beispiel", "role": "Referentin Standortpolitik",
    "email": "lena.beispiel@ihk.example.org", "phone": "+49 561 0000-101",
}
_SESSION_EXAMPLE = {
    "id": _SESSION_ID, "event_id": _EVENT_ID, "position": 1,
    "title": "Klimaschutz in der Bauleitplanung", "description": "Was Festsetzungen für Betriebe bedeuten.",
    "capacity": 25, "waitlist_size": 10, "contact_persons": [_CONTACT_EXAMPLE],
}


class Organisation(_Snapshot):
    model_config = ConfigDict(json_schema_extra={"examples": [_ORGANISATION_EXAMPLE]})

    id: UUID = Field(description="The organisation's id.")
    name: str = Field(description="Full name, e.g. a chamber or a city office.")
    kind: OrganisationKind = Field(description="What kind of organisation it is.")
    website: str | None = Field(None, description="Public website.")
    controller: str | None = Field(None, description="The controller (Verantwortlicher, DSGVO Art. 4 No. 7) of the "
                                   "registrants' data at its events: name and postal or email address.")
    privacy_notice_url: str | None = Field(None, description="Where its privacy notice for registrants is published.")
    privacy_notice_version: str | None = Field(None, description="The version of that notice, as its publisher names it.")
    privacy_notice_sha256: str | None = Field(None, description="SHA-256 (hex) of the notice's text: what a "
                                              "registrant agreed to, provably.")


class ContactPerson(_Snapshot):
    model_config = ConfigDict(json_schema_extra={"examples": [_CONTACT_EXAMPLE]})

    id: UUID = Field(description="The contact person's id.")
    organisation_id: UUID = Field(description="The organisation the person works for.")
    organisation_name: str = Field(description="That organisation's name, for display.")
    name: str = Field(description="Full name as it is shown to participants.")
    role: str | None = Field(None, description="Function, e.g. 'Referentin Standortpolitik'.")
    email: str = Field(description="Business email address; notices about registrations go there.")
    phone: str | None = Field(None, description="Business phone number.")


class Programme(_Snapshot):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _PROGRAMME_ID, "title": "Masterplan Industrie: Partnerschaftstreffen",
        "description": "Regelmäßiger Austausch zwischen Stadt und Kammern.", "kind": "Kooperation",
        "responsible_offices": ["Amt für Wirtschaftsförderung"], "linked_programme_ids": [],
    }]})

    id: UUID = Field(description="The programme's (measure's) id.")
    title: str = Field(description="Title of the programme or measure.")
    description: str = Field("", description="What it is about.")
    kind: str | None = Field(None, description="Kind of measure, e.g. 'Kooperation'.")
    responsible_offices: list[str] = Field(default_factory=list, description="Offices responsible for it.")
    linked_programme_ids: list[UUID] = Field(default_factory=list, description="Related programmes or measures.")


class Session(_Snapshot):
    model_config = ConfigDict(json_schema_extra={"examples": [_SESSION_EXAMPLE]})

    id: UUID = Field(description="The session's id.")
    event_id: UUID = Field(description="The event the session belongs to.")
    position: int = Field(description="Order among the event's parallel sessions, from 1.")
    title: str = Field(description="Title of the session.")
    description: str = Field("", description="What the session is about.")
    capacity: int = Field(ge=0, description="Seats.")
    waitlist_size: int = Field(ge=0, description="Places on the waiting list; 0 means no waiting list.")
    contact_persons: list[ContactPerson] = Field(default_factory=list, description="Who to ask; they are told about registrations.")


DEFAULT_REMINDER_DAYS_BEFORE = 2
DEFAULT_REMINDER_LOCAL_TIME = "09:00"
MAX_REMINDER_DAYS_BEFORE = 60
# A time of day on Berlin's clocks as people write it, without an offset: the schedule follows those
# clocks in summer and winter (and JSON Schema's "time" format would demand an offset).
LOCAL_TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ReminderSchedule(_Snapshot):
    """When the confirmed participants are reminded of the event by email: `days_before` the day the
    event starts, at `local_time` in Europe/Berlin (two days before at 09:00 unless staff change it)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"enabled": True, "days_before": 2, "local_time": "09:00"}]})

    enabled: bool = Field(True, description="Whether reminders are sent at all.")
    days_before: int = Field(DEFAULT_REMINDER_DAYS_BEFORE, ge=0, le=MAX_REMINDER_DAYS_BEFORE,
                             description="How many days before the day of the start (0: on that day).")
    local_time: str = Field(DEFAULT_REMINDER_LOCAL_TIME, pattern=LOCAL_TIME_OF_DAY,
                            description="Time of day in Europe/Berlin (`HH:MM`), without offset.")

    @property
    def time_of_day(self) -> time:
        return time.fromisoformat(self.local_time)


class Event(_Snapshot):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _EVENT_ID, "title": "Wirtschaft trifft Verwaltung",
        "description": "Dialog zwischen Stadtverwaltung und regionaler Wirtschaft.",
        "status": "published", "programme_id": _PROGRAMME_ID,
        "organisers": [_ORGANISATION_EXAMPLE | {"id": _ORG_ID}],
        "venue_name": "Rathaus, Bürgersaal", "venue_address": "Marktplatz 1, 34117 Musterstadt",
        "starts_at": "2027-03-10T14:00:00+01:00", "ends_at": "2027-03-10T17:30:00+01:00",
        "registration_deadline": "2027-03-03T23:59:00+01:00",
        "what_to_bring": None, "sessions": [_SESSION_EXAMPLE], "retention_days": 180,
        "reminder": {"enabled": True, "days_before": 2, "local_time": "09:00"},
    }]})

    id: UUID = Field(description="The event's id.")
    title: str = Field(description="Title of the event.")
    description: str = Field("", description="What the event is about.")
    status: EventStatus = Field(description="draft, published, closed (no more registrations) or cancelled.")
    programme_id: UUID | None = Field(None, description="The programme or measure the event belongs to.")
    organisers: list[Organisation] = Field(default_factory=list, description="Organising organisations.")
    venue_name: str = Field(description="Where it takes place.")
    venue_address: str = Field("", description="Address of the venue.")
    starts_at: datetime = Field(description="Start, with time zone.")
    ends_at: datetime = Field(description="End, with time zone.")
    registration_deadline: datetime = Field(description="Registrations are accepted until then.")
    what_to_bring: str | None = Field(None, description="What participants should bring, if anything.")
    sessions: list[Session] = Field(default_factory=list, description="The parallel sessions, in order.")
    # A default, so that snapshots published before reminders existed still parse (and get the default).
    reminder: ReminderSchedule = Field(default_factory=ReminderSchedule,
                                       description="When confirmed participants are reminded by email.")
    retention_days: int = Field(DEFAULT_RETENTION_DAYS, ge=1, description="The registrants' personal data is erased "
                                "this many days after the event's end (an anonymous record stays for statistics).")

    @property
    def privacy_organiser(self) -> Organisation | None:
        """The organiser whose privacy notice and controller the registrants are shown: the first with a notice."""
        return next((o for o in self.organisers if o.privacy_notice_url), None)


class OrganisationSaved(EventPayload):
    topic: ClassVar[str] = CATALOG_TOPIC
    event_type: ClassVar[str] = "OrganisationSaved"
    model_config = ConfigDict(json_schema_extra={"examples": [{"organisation": _ORGANISATION_EXAMPLE}]})

    organisation: Organisation = Field(description="The organisation's new state.")

    def message_key(self) -> str:
        return str(self.organisation.id)


class ContactPersonSaved(EventPayload):
    topic: ClassVar[str] = CATALOG_TOPIC
    event_type: ClassVar[str] = "ContactPersonSaved"
    model_config = ConfigDict(json_schema_extra={"examples": [{"contact_person": _CONTACT_EXAMPLE}]})

    contact_person: ContactPerson = Field(description="The contact person's new state.")

    def message_key(self) -> str:
        return str(self.contact_person.id)


class ContactPersonDeleted(EventPayload):
    topic: ClassVar[str] = CATALOG_TOPIC
    event_type: ClassVar[str] = "ContactPersonDeleted"
    model_config = ConfigDict(json_schema_extra={"examples": [{"contact_person_id": _CONTACT_ID}]})

    contact_person_id: UUID = Field(description="The contact person who was removed, with their data.")

    def message_key(self) -> str:
        return str(self.contact_person_id)


class ProgrammeSaved(EventPayload):
    topic: ClassVar[str] = CATALOG_TOPIC
    event_type: ClassVar[str] = "ProgrammeSaved"
    model_config = ConfigDict(json_schema_extra={"examples": [{"programme": Programme.model_config["json_schema_extra"]["examples"][0]}]})

    programme: Programme = Field(description="The programme's new state.")

    def message_key(self) -> str:
        return str(self.programme.id)


class EventSaved(EventPayload):
    topic: ClassVar[str] = CATALOG_TOPIC
    event_type: ClassVar[str] = "EventSaved"
    model_config = ConfigDict(json_schema_extra={"examples": [{"event": Event.model_config["json_schema_extra"]["examples"][0]}]})

    event: Event = Field(description="The event's new state with its sessions and their contact persons.")

    def message_key(self) -> str:
        return str(self.event.id)


CATALOG_EVENTS = registry(OrganisationSaved, ContactPersonSaved, ContactPersonDeleted, ProgrammeSaved, EventSaved)
