"""The registration service's events on `registration.registration.v1`, keyed by registration id.

`RegistrationRequested` and `RegistrationCancelled` drive the catalog's seat ledger; the outcome
events tell the notification service everything it needs to write to the registrant. The
registration service owns the participants' data: this topic has a bounded retention.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .envelope import EventPayload, registry
from .seats import RejectionReason

REGISTRATION_TOPIC = "registration.registration.v1"

_REGISTRATION_ID = "0b6b4c52-93cb-4f0e-8d55-3c2b0a6f7d21"
_EVENT_ID = "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c01"
_SESSION_ID = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a01"


# What a person types reaches emails (and their To: display name), the contact persons' notices and the
# staff's exports. Control characters break those (XLSX refuses them); bidi controls (U+200E/F,
# U+202A-202E, U+2066-2069) and zero-width characters (U+200B-200D, U+2060, U+FEFF) are invisible and
# make a name read differently from what it is ("Trojan Source"). Remarks may have line breaks and tabs.
_INVISIBLE = r"\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_LINE = rf"^[^\x00-\x1f\x7f{_INVISIBLE}]*$"
_TEXT = rf"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f{_INVISIBLE}]*$"

VISIBLE_LINE = _LINE
"""The pattern of one line of visible characters (for other services' fields that reach people)."""
VISIBLE_TEXT = _TEXT
"""The pattern of lines of visible characters (line breaks and tabs allowed), for longer texts that reach people."""
PersonLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_LINE)]
"""A name or an organisation: one visible line."""
PersonText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=_TEXT)]
"""Free text of a person (remarks): lines of visible characters."""
CancellationReason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=_TEXT)]
"""Why staff cancelled a registration on the person's behalf, as the person reads it in their email."""
PhoneNumber = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30,
                                               pattern=r"^([0-9 +()/-]*[0-9][0-9 +()/-]*)?$")]
"""A phone number as people write it: digits, spaces, `+`, `-`, `/` and parentheses (or nothing, as web
forms send an empty optional field)."""


class Language(StrEnum):
    de = "de"
    en = "en"


class CancelledBy(StrEnum):
    registrant = "registrant"
    staff = "staff"


class Participant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    first_name: str = Field(description="Given name.")
    last_name: str = Field(description="Family name.")
    email: str = Field(description="Where the registrant's emails go.")
    organisation: str = Field(description="The company or institution the person comes for.")
    phone: str | None = Field(None, description="Phone number, if given.")
    language: Language = Field(Language.de, description="Language of the emails.")


_PARTICIPANT = {
    "first_name": "Jana", "last_name": "Muster", "email": "jana.muster@example.org",
    "organisation": "Muster Logistik GmbH", "phone": None, "language": "de",
}


class Registration(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    registration_id: UUID = Field(description="The registration's id (also the correlation id).")
    event_id: UUID = Field(description="The event.")
    session_id: UUID = Field(description="The chosen parallel session.")
    participant: Participant = Field(description="Who registered.")
    remarks: str | None = Field(None, description="Remarks of the registrant for the organisers.")
    registered_at: datetime = Field(description="When the registration was accepted.")
    status_url: str = Field(description="Signed link where the registrant sees the status.")
    cancel_url: str = Field(description="Signed link where the registrant cancels (POST; GET shows a confirmation page).")
    data_url: str | None = Field(None, description="Signed link to \"my data\": everything held about the "
                                 "registration, as a page and as JSON, and its erasure.")


_REGISTRATION = {
    "registration_id": _REGISTRATION_ID, "event_id": _EVENT_ID, "session_id": _SESSION_ID,
    "participant": _PARTICIPANT, "remarks": None, "registered_at": "2026-11-21T10:15:00Z",
    "status_url": f"http://localhost:8000/r/{_REGISTRATION_ID}?token=abc",
    "cancel_url": f"http://localhost:8000/r/{_REGISTRATION_ID}/cancel?token=abc",
    "data_url": f"http://localhost:8000/r/{_REGISTRATION_ID}/data?token=abc",
}


class _RegistrationEvent(EventPayload):
    topic: ClassVar[str] = REGISTRATION_TOPIC


class RegistrationRequested(_RegistrationEvent):
    """A registration was accepted and waits for the catalog's seat decision. Ids only."""

    event_type: ClassVar[str] = "RegistrationRequested"
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "registration_id": _REGISTRATION_ID, "event_id": _EVENT_ID, "session_id": _SESSION_ID,
    }]})

    registration_id: UUID = Field(description="The registration's id.")
    event_id: UUID = Field(description="The event.")
    session_id: UUID = Field(description="The session asked for.")

    def message_key(self) -> str:
        return str(self.registration_id)


class _Outcome(_RegistrationEvent):
    registration: Registration = Field(description="The registration with the participant's data.")

    def message_key(self) -> str:
        return str(self.registration.registration_id)


class RegistrationConfirmed(_Outcome):
    event_type: ClassVar[str] = "RegistrationConfirmed"
    model_config = ConfigDict(json_schema_extra={"examples": [{"registration": _REGISTRATION}]})


class RegistrationWaitlisted(_Outcome):
    event_type: ClassVar[str] = "RegistrationWaitlisted"
    model_config = ConfigDict(json_schema_extra={"examples": [{"registration": _REGISTRATION, "waitlist_position": 3}]})

    waitlist_position: int = Field(ge=1, description="Position on the waiting list when it was decided.")


class RegistrationRejected(_Outcome):
    event_type: ClassVar[str] = "RegistrationRejected"
    model_config = ConfigDict(json_schema_extra={"examples": [{"registration": _REGISTRATION, "reason": "full"}]})

    reason: RejectionReason = Field(description="Why the registration was not possible.")


class RegistrationPromoted(_Outcome):
    """Moved up from the waiting list: now confirmed."""

    event_type: ClassVar[str] = "RegistrationPromoted"
    model_config = ConfigDict(json_schema_extra={"examples": [{"registration": _REGISTRATION}]})


class RegistrationCancelled(_Outcome):
    """Cancelled by the registrant or by staff; the catalog releases what it held."""

    event_type: ClassVar[str] = "RegistrationCancelled"
    model_config = ConfigDict(json_schema_extra={"examples": [{"registration": _REGISTRATION, "cancelled_by": "registrant",
                                                               "previous_status": "confirmed", "reason": None}]})

    cancelled_by: CancelledBy = Field(description="Who cancelled.")
    previous_status: str = Field(description="The status before: pending, confirmed or waitlisted.")
    reason: CancellationReason | None = Field(None, description="Staff's reason, written to the person (in their "
                                              "cancellation email); none when the registrant cancelled or staff "
                                              "gave none.")


class RegistrationMoveRequested(_RegistrationEvent):
    """Staff move a confirmed registration to another session of its event: the catalog's seat ledger takes a
    seat in that session and gives back the old one (the waiting list there moves up), or refuses and changes
    nothing when the session has no free seat. Keyed by the registration id, like its request and its
    cancellation: the ledger sees them in order. Ids only."""

    event_type: ClassVar[str] = "RegistrationMoveRequested"
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "registration_id": _REGISTRATION_ID, "event_id": _EVENT_ID, "from_session_id": _SESSION_ID,
        "to_session_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a02",
    }]})

    registration_id: UUID = Field(description="The registration to move.")
    event_id: UUID = Field(description="The event.")
    from_session_id: UUID = Field(description="The session it holds a seat in.")
    to_session_id: UUID = Field(description="The session it is to have a seat in instead.")

    def message_key(self) -> str:
        return str(self.registration_id)


class RegistrationMoved(_Outcome):
    """Moved by staff to another session of the event (the registration's `session_id`), confirmed there."""

    event_type: ClassVar[str] = "RegistrationMoved"
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "registration": _REGISTRATION, "from_session_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a02"}]})

    from_session_id: UUID = Field(description="The session it had its seat in before.")


class _ToOneRegistrant(_RegistrationEvent):
    """An email to one registration's own address, asked for with what it needs: the address, the name, the
    language and the "my data" link (`LinksRequested`, `StaffMessageToParticipant`). Keyed by the registration,
    in order with its other events; the topic's bounded retention keeps the address no longer than them."""

    registration_id: UUID = Field(description="The registration the email is for.")
    event_id: UUID = Field(description="The event.")
    session_id: UUID = Field(description="The registration's session.")
    email: str = Field(description="The registration's own address: the only one the email goes to.")
    name: str = Field(description="The registrant's name, for the greeting and the To: header.")
    language: Language = Field(description="Language of the email.")
    data_url: str | None = Field(None, description="Signed link to \"my data\", for the email's footer.")

    def message_key(self) -> str:
        return str(self.registration_id)


class LinksRequested(_ToOneRegistrant):
    """Someone asked for a registration's links again ("send me my links"): the notification service sends
    them to the registration's own address, and only there. The address, the name and the links are all
    the email needs; the topic's bounded retention keeps them no longer than the outcome events."""

    event_type: ClassVar[str] = "LinksRequested"
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "registration_id": _REGISTRATION_ID, "event_id": _EVENT_ID, "session_id": _SESSION_ID,
        "email": _PARTICIPANT["email"], "name": "Jana Muster", "language": "de",
        "status_url": _REGISTRATION["status_url"], "cancel_url": _REGISTRATION["cancel_url"],
        "data_url": _REGISTRATION["data_url"],
    }]})

    status_url: str = Field(description="Signed link where the registrant sees the status.")
    cancel_url: str = Field(description="Signed link where the registrant cancels.")


class Audience(StrEnum):
    """Whom staff write to: the confirmed participants, those on the waiting list, or both."""

    confirmed = "confirmed"
    waitlisted = "waitlisted"
    all = "all"


def staff_message_subject(event_title: str, subject: str) -> str:
    """The subject a staff message is sent with: the event named first, so a recipient knows what it is about
    (the registration service's preview and the notification service's email both use this)."""
    return f"[{event_title}] {subject}"


class StaffMessageToParticipant(_ToOneRegistrant):
    """Staff wrote to participants (`POST /api/staff/events/{id}/messages`): one message per recipient, for the
    notification service to send once (message id and registration id). Like `LinksRequested` it carries the
    address, the name and the language: the registration service chose the recipients as they are now."""

    event_type: ClassVar[str] = "StaffMessageToParticipant"
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "message_id": "5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d01",
        "registration_id": _REGISTRATION_ID, "event_id": _EVENT_ID, "session_id": _SESSION_ID,
        "email": _PARTICIPANT["email"], "name": "Jana Muster", "language": "de",
        "subject": "Raumänderung", "body": "Die Session findet in Raum 2.14 statt.",
        "data_url": _REGISTRATION["data_url"],
    }]})

    message_id: UUID = Field(description="The staff message (one per POST; the same for all its recipients).")
    subject: str = Field(description="The subject staff wrote (the email's subject names the event before it).")
    body: str = Field(description="The text staff wrote.")


class ErasedBecause(StrEnum):
    retention = "retention"  # the event's retention period after its end ran out
    registrant = "registrant"  # the person erased it through "my data"
    staff = "staff"  # on the person's request, by staff


class RegistrationErased(_RegistrationEvent):
    """The registration's personal data is erased: every service deletes or anonymises what it holds about
    it. Ids only; the registration service keeps an anonymous record (ids, status, times)."""

    event_type: ClassVar[str] = "RegistrationErased"
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "registration_id": _REGISTRATION_ID, "event_id": _EVENT_ID, "session_id": _SESSION_ID,
        "erased_at": "2027-09-06T03:00:00Z", "because": "retention", "release_seat": False,
    }]})

    registration_id: UUID = Field(description="The registration whose personal data is gone.")
    event_id: UUID = Field(description="The event.")
    session_id: UUID = Field(description="The session.")
    erased_at: datetime = Field(description="When the registration service erased it.")
    because: ErasedBecause = Field(description="retention, registrant or staff.")
    release_seat: bool = Field(False, description="The registration was active and is cancelled with its erasure: "
                               "the catalog releases its seat or place as after `RegistrationCancelled` (which is "
                               "not sent: it would carry the person's data).")

    def message_key(self) -> str:
        return str(self.registration_id)


REGISTRATION_EVENTS = registry(
    RegistrationRequested, RegistrationConfirmed, RegistrationWaitlisted, RegistrationRejected,
    RegistrationPromoted, RegistrationCancelled, LinksRequested, RegistrationErased, RegistrationMoveRequested,
    RegistrationMoved, StaffMessageToParticipant,
)
