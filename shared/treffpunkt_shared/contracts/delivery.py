"""The notification service's events on `notification.delivery.v1`: what became of each email.

One event per email when its fate is settled: `EmailSent` once the SMTP server accepted it,
`EmailFailed` once it will not be tried again. Keyed by the registration the email is about (the
contact persons' notices, which cover several registrations, by their Message-ID). The events name
the recipient's address and the subject but never carry the email's body; the topic has a bounded retention.
The registration service reads them for the registrant's "my data" page (which emails went out, when).
"""

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import ConfigDict, Field

from .envelope import EventPayload, registry

DELIVERY_TOPIC = "notification.delivery.v1"


class EmailKind(StrEnum):
    """What an email is about."""

    confirmed = "confirmed"
    waitlisted = "waitlisted"
    promoted = "promoted"
    rejected = "rejected"
    cancelled = "cancelled"
    event_changed = "event_changed"
    event_cancelled = "event_cancelled"
    contact_notice = "contact_notice"
    contact_digest = "contact_digest"
    links = "links"
    reminder = "reminder"
    moved = "moved"
    staff_message = "staff_message"


_EMAIL = {
    "message_id": "<3f1d0c8e2b7a4f6d9e5c1b0a8f7e6d5c@treffpunkt.example.org>",
    "kind": "confirmed",
    "registration_id": "0b6b4c52-93cb-4f0e-8d55-3c2b0a6f7d21",
    "event_id": "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c01",
    "recipient": "jana.muster@example.org",
    "subject": "Anmeldung bestätigt: Wirtschaft trifft Verwaltung",
    "attempts": 1,
}


class _DeliveryEvent(EventPayload):
    topic: ClassVar[str] = DELIVERY_TOPIC

    message_id: str = Field(description="The email's Message-ID header; derived from what the email is about, so a "
                            "repeat after a crash carries the same one.")
    kind: EmailKind = Field(description="What the email is about: a registration's outcome, a change of the event, "
                            "or a contact person's notice or daily digest.")
    registration_id: UUID | None = Field(None, description="The registration the email is about; none for a contact "
                                         "person's notice or digest, which may cover several.")
    event_id: UUID | None = Field(None, description="The event the email is about; none for a notice or digest.")
    recipient: str = Field(description="The address the email was sent to.")
    subject: str | None = Field(None, description="The email's subject, as sent (none if it could not be rendered). "
                                "The registration service keeps it for the registrant's \"my data\" page.")
    attempts: int = Field(ge=1, description="SMTP attempts it took, including the last one.")

    def message_key(self) -> str:
        return str(self.registration_id) if self.registration_id else self.message_id


class EmailSent(_DeliveryEvent):
    event_type: ClassVar[str] = "EmailSent"
    model_config = ConfigDict(json_schema_extra={"examples": [_EMAIL | {
        "sent_at": "2026-11-21T10:15:02Z", "smtp_reply": "250 2.0.0 OK: queued as 4711",
    }]})

    sent_at: datetime = Field(description="When the SMTP server accepted the email.")
    smtp_reply: str = Field(description="The server's reply to the message data.")


class EmailFailed(_DeliveryEvent):
    event_type: ClassVar[str] = "EmailFailed"
    model_config = ConfigDict(json_schema_extra={"examples": [_EMAIL | {
        "failed_at": "2026-11-21T10:15:02Z", "error": "550 5.1.1 Mailbox unavailable", "permanent": True,
    }]})

    failed_at: datetime = Field(description="When the email was given up.")
    error: str = Field(description="Why: the SMTP server's reply (code and text) or the error met.")
    permanent: bool = Field(description="True when the server refused it for good (a 5xx reply for the recipient or "
                            "the message); false when the attempts ran out on transient failures.")


DELIVERY_EVENTS = registry(EmailSent, EmailFailed)
