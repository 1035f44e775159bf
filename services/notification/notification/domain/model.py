"""What the service sends to whom, and how an email is known again when it comes up twice."""

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from treffpunkt_shared.contracts.catalog import Event, Session
from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import Language


class RegistrationStatus(StrEnum):
    """A registration's status as far as this service has heard."""

    confirmed = "confirmed"
    waitlisted = "waitlisted"
    rejected = "rejected"
    cancelled = "cancelled"


# Registrations whose holders are told when their event changes or is cancelled.
STILL_REGISTERED = (RegistrationStatus.confirmed, RegistrationStatus.waitlisted)


class ContactMode(StrEnum):
    """How a contact person wants to hear about registrations for their sessions."""

    immediate = "immediate"
    daily = "daily"
    off = "off"


# What a contact person gets who has not chosen: a notice per registration, in German.
DEFAULT_CONTACT_MODE = ContactMode.immediate
DEFAULT_CONTACT_LANGUAGE = Language.de


def session_of(event: Event | None, session_id: UUID | None) -> Session | None:
    """The event's session with this id, if the event and the session are known."""
    if event is None or session_id is None:
        return None
    return next((session for session in event.sessions if session.id == session_id), None)


class EmailStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class CalendarMethod(StrEnum):
    """The iTIP method of a calendar file: add or update the entry, or remove it."""

    request = "REQUEST"
    cancel = "CANCEL"


@dataclass(frozen=True)
class NewEmail:
    """An email to send, as it is queued; it is rendered from `details` and the local data when sent."""

    kind: EmailKind
    recipient: str
    recipient_name: str
    language: Language
    dedup_key: str
    registration_id: UUID | None = None
    event_id: UUID | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Registrant:
    """Who an email about a registration goes to."""

    registration_id: UUID
    event_id: UUID
    email: str
    name: str
    language: Language


def registrant_email(kind: EmailKind, registrant: Registrant, details: dict[str, Any] | None = None,
                     *, occasion: str | None = None) -> NewEmail:
    """The email of `kind` to the person who registered.

    Each (kind, registration, recipient) is sent once; `occasion` tells apart emails of one kind that
    may rightly come several times, such as one per change of the event.
    """
    key = f"{kind}:{registrant.registration_id}:{registrant.email.lower()}"
    return NewEmail(
        kind=kind,
        recipient=registrant.email,
        recipient_name=registrant.name,
        language=registrant.language,
        dedup_key=f"{key}:{occasion}" if occasion else key,
        registration_id=registrant.registration_id,
        event_id=registrant.event_id,
        details=details or {},
    )


def message_id(dedup_key: str, domain: str) -> str:
    """The Message-ID of the email with `dedup_key`: the same every time it is sent, and without the
    recipient's address in it (the key holds it; the hash does not reveal it)."""
    return f"<{hashlib.sha256(dedup_key.encode()).hexdigest()[:40]}@{domain}>"


def calendar_uid(registration_id: UUID, domain: str) -> str:
    """One calendar entry per registration: every later file with this UID updates or removes it."""
    return f"registration-{registration_id}@{domain}"
