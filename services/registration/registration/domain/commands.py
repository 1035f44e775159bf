"""What a registrant asks for (the API's and the form's request, checked for shape)."""

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field
from pydantic_core import PydanticCustomError

from treffpunkt_shared.contracts.registration import Language, PersonLine, PersonText, PhoneNumber


def _only_true_itself(value: Any) -> Any:
    # Consent is given by the JSON value true; 1 or "true" would pass pydantic's lax Literal[True]
    # (1 == True), or look like consent a client never meant to give. (null is no consent, like false.)
    if value is not None and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be a valid boolean")
    return value


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
    first_name: PersonLine = Field(description="Given name.")
    last_name: PersonLine = Field(description="Family name.")
    email: EmailStr = Field(description="Where the confirmation and the links go.")
    organisation: PersonLine = Field(description="Company or institution.")
    phone: PhoneNumber | None = Field(None, description="Phone number (optional): digits, spaces, + - / ( ).")
    remarks: PersonText | None = Field(None, description="Remarks for the organisers (optional).")
    language: Language = Field(Language.de, description="Language of the emails and of the answers: de or en.")
    consent: Annotated[Literal[True], BeforeValidator(_only_true_itself)] = Field(
        description="Consent to the processing of the data for this event: the JSON value true.")


class SendLinksAgain(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "event_id": "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c01", "email": "jana.muster@example.org", "language": "de",
    }]})

    event_id: UUID = Field(description="The event registered for.")
    email: EmailStr = Field(description="The address registered with: the only one the links are sent to.")
    language: Language = Field(Language.de, description="Language of the email and of the answer: de or en.")


class EraseAddress(BaseModel):
    """Staff erasing every registration of an address on the person's request (DSGVO Art. 17)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"email": "jana.muster@example.org"}]})

    email: EmailStr = Field(description="Every registration of this address, across events (compared "
                                        "case-insensitively).")
