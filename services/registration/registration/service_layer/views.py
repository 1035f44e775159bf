"""What a registrant and staff see of a registration, and the contract the other services get."""

from datetime import datetime
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field

from treffpunkt_shared.contracts import registration as contract

from ..adapters import repository
from ..domain.model import Registration, Status
from ..links import Links


class RegistrationLinks(BaseModel):
    status: str = Field(description="GET: the current status (signed link, keep it private).")
    cancel: str = Field(description="POST: cancel the registration (signed link).")
    my_data: str = Field(description="GET: the page \"Meine Daten / My data\" (signed link): everything held about "
                         "the registration, its JSON download and its erasure.")


class ConsentView(BaseModel):
    """The consent record: what the person agreed to, when and in which language."""

    privacy_notice_url: str | None = Field(description="The privacy notice agreed to.")
    privacy_notice_version: str | None = Field(description="Its version, if its publisher names one.")
    privacy_notice_sha256: str | None = Field(description="SHA-256 of its text, if the catalog has it.")
    controller: str | None = Field(description="The controller (Verantwortlicher) named.")
    language: str = Field(description="The language the notice and the form were shown in.")
    consented_at: datetime = Field(description="When.")


class RegistrationView(BaseModel):
    id: UUID = Field(description="The registration's id.")
    event_id: UUID
    session_id: UUID
    status: Status = Field(description="pending (seat not decided yet), confirmed, waitlisted, rejected or cancelled.")
    waitlist_position: int | None = Field(None, description="Position on the waiting list while waitlisted (1 = next).")
    rejection_reason: str | None = Field(None, description="Why it was not possible: full, closed, deadline_passed.")
    links: RegistrationLinks
    consent: ConsentView = Field(description="The consent record.")
    erased: bool = Field(False, description="The personal data is erased; this anonymous record stays.")


async def position_of(conn: asyncpg.Connection | asyncpg.Pool, registration: Registration) -> int | None:
    if registration.status is not Status.waitlisted:
        return None
    return await repository.waitlist_position(conn, registration.session_id, registration.waitlist_sequence)


async def view(conn: asyncpg.Connection | asyncpg.Pool, registration: Registration, links: Links) -> RegistrationView:
    return RegistrationView(
        id=registration.id, event_id=registration.event_id, session_id=registration.session_id,
        status=registration.status, waitlist_position=await position_of(conn, registration),
        rejection_reason=registration.rejection_reason,
        links=RegistrationLinks(status=links.status_api(registration.id), cancel=links.cancel_api(registration.id),
                                my_data=links.data_page(registration.id)),
        consent=consent_of(registration), erased=registration.erased,
    )


def consent_of(registration: Registration) -> ConsentView:
    return ConsentView(privacy_notice_url=registration.consent_notice_url,
                       privacy_notice_version=registration.consent_notice_version,
                       privacy_notice_sha256=registration.consent_notice_sha256,
                       controller=registration.consent_controller, language=registration.language,
                       consented_at=registration.consent_at)


def as_outgoing(registration: Registration, links: Links) -> contract.Registration:
    """The registration as the outgoing events carry it to the notification service (it writes the emails)."""
    return contract.Registration(
        registration_id=registration.id, event_id=registration.event_id, session_id=registration.session_id,
        participant=contract.Participant(
            first_name=registration.first_name, last_name=registration.last_name, email=registration.email,
            organisation=registration.organisation, phone=registration.phone, language=registration.language),
        remarks=registration.remarks, registered_at=registration.created_at,
        status_url=links.status_page(registration.id), cancel_url=links.cancel_page(registration.id),
        data_url=links.data_page(registration.id),
    )
