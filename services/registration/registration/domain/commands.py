"""What a registrant asks for (the API's and the form's request, checked for shape)."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from treffpunkt_shared.contracts.registration import Language

# No control characters: they end up in lists, exports and emails, where they break things (XLSX
# refuses them) and are never what the person meant; remarks may have line breaks and tabs.
_LINE = r"^[^\x00-\x1f\x7f]*$"
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_LINE)]


class RegisterParticipant(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "event_id": "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c01",
        "session_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a01",
        "first_name": "Jana", "last_name": "Muster", "email": "jana.muster@example.org",
        "organisation": "Muster Logistik GmbH", "phone": "+49 561 0000-200",
        "remarks": "Ich komme mit dem Rollstuhl.", "language": "de", "consent": True,
    }]})

    event_id: UUID = Field(description="The event to register for.")
    session_id: UUID = Field(description="One of the event's parallel sessions.")
    first_name: Name = Field(description="Given name.")
    last_name: Name = Field(description="Family name.")
    email: EmailStr = Field(description="Where the confirmation and the links go.")
    organisation: Name = Field(description="Company or institution.")
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50, pattern=_LINE)] | None = Field(
        None, description="Phone number (optional).")
    remarks: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=_TEXT)] | None = Field(
        None, description="Remarks for the organisers (optional).")
    language: Language = Field(Language.de, description="Language of the emails: de or en.")
    consent: Literal[True] = Field(description="Consent to the processing of the data for this event; must be true.")
