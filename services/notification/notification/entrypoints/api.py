"""The staff API: the delivery log, the contact persons' notice preferences, the audit trail (of preference
changes). Who may read and change what: `..authorization`."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from treffpunkt_shared import audit
from treffpunkt_shared.catalog_copy import event_organisers
from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import Language
from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.staff_access import STAFF_REFUSALS, StaffPrincipal, StaffWriter

from .. import authorization as rules
from ..adapters import catalog, contact_notices, emails
from ..domain.model import DEFAULT_CONTACT_LANGUAGE, DEFAULT_CONTACT_MODE, ContactMode, EmailStatus

router = APIRouter(prefix="/api", tags=["staff"], responses=STAFF_REFUSALS)
_UNKNOWN_CONTACT_PERSON = {404: {"description": "No session known here lists a contact person with that id."}}


class Delivery(BaseModel):
    message_id: str = Field(description="The email's Message-ID header.")
    kind: EmailKind = Field(description="What the email is about.")
    registration_id: UUID | None = Field(description="The registration it is about; none for a contact person's "
                                         "notice or digest (which may list several).")
    event_id: UUID | None = Field(description="The event it is about, if one.")
    recipient: str = Field(description="Where it goes.")
    subject: str | None = Field(description="Its subject, once it has been rendered.")
    status: EmailStatus = Field(description="pending (waiting or being retried), sent, or failed.")
    attempts: int = Field(description="SMTP attempts so far.")
    created_at: datetime = Field(description="When it was queued.")
    next_attempt_at: datetime | None = Field(description="While pending: when it is tried (again).")
    sent_at: datetime | None = Field(description="When the SMTP server accepted it.")
    failed_at: datetime | None = Field(description="When it was given up.")
    last_error: str | None = Field(description="Why the last attempt failed.")
    smtp_reply: str | None = Field(description="The SMTP server's reply to the last attempt (acceptance or refusal).")


class PreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"mode": "daily", "language": "de"}]})

    mode: ContactMode = Field(description="`immediate`: a notice per registration, at most one email per window "
                              "listing all new ones; `daily`: one digest a day with the fill levels; `off`: none.")
    language: Language = Field(Language.de, description="Language of the notices.")


class Preference(BaseModel):
    contact_person_id: UUID = Field(description="The contact person (id in the catalog).")
    mode: ContactMode = Field(description="How the person hears about registrations for their sessions.")
    language: Language = Field(description="Language of the notices.")
    updated_by: str | None = Field(description="Who set it (a staff account's id, or `token:<name>`); none while it "
                                   "is the default.")
    updated_at: datetime | None = Field(description="When it was set; none while it is the default.")


@router.get("/deliveries", summary="The delivery log of a registration or a recipient")
async def delivery_log(
    pool: DatabasePool,
    principal: StaffPrincipal,
    registration_id: Annotated[UUID | None, Query(description="Emails about this registration, including the "
                                                  "contact persons' notices that listed it.")] = None,
    # No control characters: PostgreSQL cannot even compare text holding NUL, and no address has them.
    recipient: Annotated[str | None, Query(min_length=3, max_length=320, pattern=r"^[^\x00-\x1f\x7f]+$",
                                           description="Emails to this address (any case).")] = None,
) -> list[Delivery]:
    """What was sent when, what is still being tried, and what failed and why; oldest first. A registration's:
    admins, the organisers of its event and the contact persons of its session; a recipient's alone: admins."""
    if registration_id is None and recipient is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{
            "loc": ["query", "registration_id"], "type": "missing",
            "msg": "Give registration_id or recipient (or both) to say whose deliveries to show.",
        }])
    await rules.require_delivery_log_reader(pool, principal, registration_id)
    entries = await emails.delivery_log(pool, registration_id=registration_id, recipient=recipient)
    return [Delivery.model_validate(entry, from_attributes=True) for entry in entries]


async def _known(pool: asyncpg.Pool, contact_person_id: UUID) -> contact_notices.Preference | None:
    stored = await contact_notices.preference(pool, contact_person_id)
    if stored is None and not await catalog.contact_person_known(pool, contact_person_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"No session known here lists a contact person with id {contact_person_id}.")
    return stored


@router.get("/contact-persons/{contact_person_id}/preference", summary="How a contact person hears about registrations",
            responses=_UNKNOWN_CONTACT_PERSON)
async def get_preference(pool: DatabasePool, contact_person_id: UUID, principal: StaffPrincipal) -> Preference:
    """Admins, the contact person, the organisers of their organisation."""
    stored = await _known(pool, contact_person_id)
    await rules.require_preference_manager(pool, principal, contact_person_id)
    if stored is None:
        return Preference(contact_person_id=contact_person_id, mode=DEFAULT_CONTACT_MODE, language=DEFAULT_CONTACT_LANGUAGE,
                          updated_by=None, updated_at=None)
    return Preference.model_validate(stored, from_attributes=True)


@router.put("/contact-persons/{contact_person_id}/preference", summary="Choose how a contact person hears about "
            "registrations", responses=_UNKNOWN_CONTACT_PERSON)
async def set_preference(pool: DatabasePool, contact_person_id: UUID, body: PreferenceIn,
                         principal: StaffWriter) -> Preference:
    """Admins, the contact person, the organisers of their organisation."""
    await _known(pool, contact_person_id)
    await rules.require_preference_manager(pool, principal, contact_person_id)
    async with pool.acquire() as conn, conn.transaction():
        stored = await contact_notices.set_preference(conn, contact_person_id, body.mode, body.language,
                                                      principal.actor)
        await audit.record(conn, principal, "preference.changed", contact_person_id)
    return Preference.model_validate(stored, from_attributes=True)


audit_router = audit.audit_router("/api/staff", event_organisers)
