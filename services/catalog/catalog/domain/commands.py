"""The commands staff send to the catalog; they are also the bodies of the staff API's requests.

`Create*` commands carry every required field. `Update*` commands carry the fields to change: a
field left out stays as it is, and `null` clears a field that may be empty.
"""

import hashlib
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from treffpunkt_shared.contracts.catalog import (
    DEFAULT_REMINDER_DAYS_BEFORE,
    DEFAULT_REMINDER_LOCAL_TIME,
    LOCAL_TIME_OF_DAY,
    MAX_REMINDER_DAYS_BEFORE,
    OrganisationKind,
    ReminderSchedule,
)
from treffpunkt_shared.contracts.registration import VISIBLE_LINE, PhoneNumber


def _no_nul(text: str) -> str:
    # PostgreSQL cannot store NUL in text: refuse it here, naming the field, not in the database.
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(_no_nul)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), AfterValidator(_no_nul)]
Website = Annotated[Line, StringConstraints(pattern=r"^https?://\S+$")]
# What reaches the registrants' emails and the To: of the contact persons' notices: no invisible characters.
VisibleLine = Annotated[Line, StringConstraints(pattern=VISIBLE_LINE)]
SeatCount = Annotated[int, Field(ge=0, le=100_000)]

OrganisationName = Annotated[VisibleLine, Field(description="Full name, e.g. a chamber or a city office.",
                                         examples=["Handwerkskammer Musterstadt"])]
OrganisationKindField = Annotated[OrganisationKind, Field(description="What kind of organisation it is.")]
OrganisationWebsite = Annotated[Website | None, Field(description="Public website (http or https).",
                                                      examples=["https://hwk.example.org"])]

Controller = Annotated[Text | None, Field(
    description="The controller (Verantwortlicher) of the registrants' data at its events: name and address.",
    examples=["Handwerkskammer Musterstadt, Marktplatz 3, 34117 Musterstadt, datenschutz@hwk.example.org"])]
PrivacyNoticeUrl = Annotated[Website | None, Field(description="Where its privacy notice for registrants is "
                                                   "published (http or https).")]
PrivacyNoticeVersion = Annotated[Line | None, Field(description="The notice's version, e.g. '2026-01'.")]
PrivacyNoticeText = Annotated[Text | None, Field(
    description="The notice's text as published: only its SHA-256 is kept, which each registration records.")]
RetentionDays = Annotated[int | None, Field(
    description="Days after the event's end until the registrants' personal data is erased; within the operator's "
                "bounds (`CATALOG_RETENTION_MIN_DAYS`..`CATALOG_RETENTION_MAX_DAYS`), by default "
                "`CATALOG_RETENTION_DEFAULT_DAYS`.", examples=[180])]

OrganisationId = Annotated[UUID, Field(description="The organisation the person works for.")]
PersonName = Annotated[VisibleLine, Field(description="Full name as participants see it.", examples=["Jonas Muster"])]
PersonRole = Annotated[VisibleLine | None, Field(description="Function, e.g. 'Referent Stadtplanung'.")]
PersonEmail = Annotated[EmailStr, Field(description="Business email address; notices about registrations go there.",
                                        examples=["jonas.muster@stadt.example.de"])]
PersonPhone = Annotated[Annotated[PhoneNumber, StringConstraints(min_length=1)] | None,
                        Field(description="Business phone number.", examples=["+49 561 0000-202"])]

ProgrammeTitle = Annotated[Line, Field(description="Title of the programme or measure.", examples=["Masterplan Industrie"])]
ProgrammeDescription = Annotated[Text, Field(description="What it is about.")]
ProgrammeKind = Annotated[Line | None, Field(description="Kind of measure, e.g. 'Weiterentwicklung der Maßnahme'.")]
ResponsibleOffices = Annotated[list[Line], Field(description="Offices responsible for it.",
                                                 examples=[["Amt für Wirtschaftsförderung", "Stadtplanungsamt"]])]
LinkedProgrammeIds = Annotated[list[UUID], Field(description="Related programmes or measures (existing ids).")]

EventTitle = Annotated[Line, Field(description="Title of the event.", examples=["Wirtschaft trifft Verwaltung"])]
EventDescription = Annotated[Text, Field(description="What the event is about.")]
ProgrammeId = Annotated[UUID | None, Field(description="The programme or measure the event belongs to.")]
OrganiserIds = Annotated[list[UUID], Field(description="Organising organisations (existing ids), in display order.")]
VenueName = Annotated[Line, Field(description="Where it takes place.", examples=["Rathaus Musterstadt, Bürgersaal"])]
VenueAddress = Annotated[Text, Field(description="Address of the venue.", examples=["Marktplatz 1, 34117 Musterstadt"])]
StartsAt = Annotated[AwareDatetime, Field(description="Start, with time zone.", examples=["2027-03-10T14:00:00+01:00"])]
EndsAt = Annotated[AwareDatetime, Field(description="End, with time zone; after the start.",
                                        examples=["2027-03-10T17:30:00+01:00"])]
RegistrationDeadline = Annotated[AwareDatetime, Field(
    description="Registrations are accepted until then; not after the start.", examples=["2027-03-03T23:59:00+01:00"])]
WhatToBring = Annotated[Text | None, Field(description="What participants should bring, if anything.")]

SessionTitle = Annotated[Line, Field(description="Title of the session.", examples=["Klimaschutz in der Bauleitplanung"])]
SessionDescription = Annotated[Text, Field(description="What the session is about.")]
Capacity = Annotated[SeatCount, Field(description="Seats; not fewer than are already allocated.")]
WaitlistSize = Annotated[SeatCount, Field(description="Places on the waiting list; 0 means no waiting list.")]
ContactPersonIds = Annotated[list[UUID], Field(
    description="Contact persons (existing ids), in display order; they are told about registrations.")]


class Command(BaseModel):
    # A misspelt field is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid")

    def values(self) -> dict[str, Any]:
        """The given fields (for updates: only those sent), lists as tuples like the domain keeps them, a
        reminder schedule whole (its fields left out take their defaults)."""
        given = self.model_dump(exclude_unset=True)
        return {name: _domain_value(getattr(self, name)) if name in _WHOLE else tuple(value) if isinstance(value, list)
                else value for name, value in given.items()}


class Reminder(Command):
    """When the confirmed participants are reminded by email; sent whole (a field left out takes its default)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"enabled": True, "days_before": 1, "local_time": "18:00"}]})

    enabled: bool = Field(True, description="Whether reminders are sent; false switches them off.")
    days_before: int = Field(DEFAULT_REMINDER_DAYS_BEFORE, ge=0, le=MAX_REMINDER_DAYS_BEFORE,
                             description="How many days before the day of the start (0: on that day).")
    local_time: str = Field(DEFAULT_REMINDER_LOCAL_TIME, pattern=LOCAL_TIME_OF_DAY,
                            description="Time of day in Europe/Berlin (`HH:MM`), without offset.")


EventReminder = Annotated[Reminder, Field(description="When confirmed participants are reminded by email; by default "
                                          "two days before the start at 09:00 Europe/Berlin.")]


# Fields given as an object that the domain keeps as one value.
_WHOLE = {"reminder"}


def _domain_value(value: Reminder) -> ReminderSchedule:
    return ReminderSchedule.model_validate(value.model_dump())


# In the Update* commands a default of None stands for "left out"; a non-nullable field sent as null
# fails validation like any other wrong value.


class _WithPrivacyNotice(Command):
    def values(self) -> dict[str, Any]:
        """The notice's text becomes its hash: the text itself is published at its URL."""
        values = super().values()
        if "privacy_notice_text" in values:
            text = values.pop("privacy_notice_text")
            values["privacy_notice_sha256"] = hashlib.sha256(text.encode()).hexdigest() if text is not None else None
        return values


class CreateOrganisation(_WithPrivacyNotice):
    name: OrganisationName
    kind: OrganisationKindField
    website: OrganisationWebsite = None
    controller: Controller = None
    privacy_notice_url: PrivacyNoticeUrl = None
    privacy_notice_version: PrivacyNoticeVersion = None
    privacy_notice_text: PrivacyNoticeText = None


class UpdateOrganisation(_WithPrivacyNotice):
    name: OrganisationName = None
    kind: OrganisationKindField = None
    website: OrganisationWebsite = None
    controller: Controller = None
    privacy_notice_url: PrivacyNoticeUrl = None
    privacy_notice_version: PrivacyNoticeVersion = None
    privacy_notice_text: PrivacyNoticeText = None


class CreateContactPerson(Command):
    organisation_id: OrganisationId
    name: PersonName
    email: PersonEmail
    role: PersonRole = None
    phone: PersonPhone = None


class UpdateContactPerson(Command):
    organisation_id: OrganisationId = None
    name: PersonName = None
    email: PersonEmail = None
    role: PersonRole = None
    phone: PersonPhone = None


class CreateProgramme(Command):
    title: ProgrammeTitle
    description: ProgrammeDescription = ""
    kind: ProgrammeKind = None
    responsible_offices: ResponsibleOffices = []
    linked_programme_ids: LinkedProgrammeIds = []


class UpdateProgramme(Command):
    title: ProgrammeTitle = None
    description: ProgrammeDescription = None
    kind: ProgrammeKind = None
    responsible_offices: ResponsibleOffices = None
    linked_programme_ids: LinkedProgrammeIds = None


class CreateEvent(Command):
    """A new event; it starts as a draft that only staff see."""

    title: EventTitle
    description: EventDescription = ""
    programme_id: ProgrammeId = None
    organiser_ids: OrganiserIds = []
    venue_name: VenueName
    venue_address: VenueAddress = ""
    starts_at: StartsAt
    ends_at: EndsAt
    registration_deadline: RegistrationDeadline
    what_to_bring: WhatToBring = None
    reminder: EventReminder = Reminder()
    retention_days: RetentionDays = None


class UpdateEvent(Command):
    title: EventTitle = None
    description: EventDescription = None
    programme_id: ProgrammeId = None
    organiser_ids: OrganiserIds = None
    venue_name: VenueName = None
    venue_address: VenueAddress = None
    starts_at: StartsAt = None
    ends_at: EndsAt = None
    registration_deadline: RegistrationDeadline = None
    what_to_bring: WhatToBring = None
    reminder: EventReminder = None
    retention_days: RetentionDays = None


class AddSession(Command):
    """A new parallel session of an event, placed after its other sessions."""

    title: SessionTitle
    description: SessionDescription = ""
    capacity: Capacity
    waitlist_size: WaitlistSize = 0
    contact_person_ids: ContactPersonIds = []


class UpdateSession(Command):
    title: SessionTitle = None
    description: SessionDescription = None
    capacity: Capacity = None
    waitlist_size: WaitlistSize = None
    contact_person_ids: ContactPersonIds = None
