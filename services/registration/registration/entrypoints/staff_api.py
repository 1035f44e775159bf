"""Staff: participant lists per event and session, exports, cancelling on a person's behalf, messages to the
participants, the audit trail.
Who may do what: `..authorization`."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from treffpunkt_shared import audit
from treffpunkt_shared.catalog_copy import event_organisers, get_event
from treffpunkt_shared.contracts.registration import VISIBLE_LINE, VISIBLE_TEXT, Audience, CancelledBy
from treffpunkt_shared.errors import require_found
from treffpunkt_shared.staff_access import STAFF_REFUSALS, Principal, StaffPrincipal, StaffWriter

from ..adapters import repository
from ..authorization import may_cancel, may_write_to_participants, visible_registrations
from ..domain.model import Registration, Status
from ..service_layer import staff_messages
from ..service_layer.cancel import cancel
from ..service_layer.views import position_of
from . import exports
from .dependencies import LinksDep, Pool

router = APIRouter(prefix="/api/staff", tags=["staff"], responses=STAFF_REFUSALS)
_UNKNOWN_EVENT = {404: {"description": "No event with that id is known here."}}


class StaffRegistration(BaseModel):
    id: UUID
    event_id: UUID
    session_id: UUID
    status: Status
    waitlist_position: int | None = Field(None, description="While waitlisted.")
    # The personal fields are null once the registration is erased (then only its anonymous record is left).
    first_name: str | None
    last_name: str | None
    email: str | None
    organisation: str | None
    phone: str | None
    remarks: str | None
    language: str
    rejection_reason: str | None
    cancelled_by: str | None
    created_at: str = Field(description="When the registration was accepted (ISO 8601).")
    erased_because: str | None = Field(None, description="Erased (retention, registrant or staff); null while not.")


def staff_view(registration: Registration, waitlist_position: int | None) -> StaffRegistration:
    fields = {name: getattr(registration, name) for name in StaffRegistration.model_fields
              if hasattr(registration, name)}
    return StaffRegistration(**fields | {"waitlist_position": waitlist_position,
                                         "created_at": registration.created_at.isoformat()})


async def _listing(pool, principal: Principal, event_id: UUID, session_id: UUID | None, status: Status | None):
    event = require_found(await get_event(pool, event_id), "event", event_id)
    visible = visible_registrations(principal, event, session_id)
    registrations = [r for r in await repository.listing(pool, event_id=event_id, session_id=session_id, status=status)
                     if visible.covers(r.session_id)]
    positions = {r.id: await position_of(pool, r) for r in registrations if r.status is Status.waitlisted}
    return event, registrations, positions


@router.get("/events/{event_id}/registrations", response_model=list[StaffRegistration],
            summary="Registrations of an event, by session, optionally filtered", responses=_UNKNOWN_EVENT)
async def list_registrations(
    event_id: UUID, pool: Pool, principal: StaffPrincipal,
    session_id: Annotated[UUID | None, Query(description="Only this session.")] = None,
    status: Annotated[Status | None, Query(description="Only this status.")] = None,
) -> list[StaffRegistration]:
    """Admins and the event's organisers: all; a session's contact person: that session's."""
    _, registrations, positions = await _listing(pool, principal, event_id, session_id, status)
    return [staff_view(r, positions.get(r.id)) for r in registrations]


@router.get("/events/{event_id}/registrations.{file_format}", summary="Participant list as CSV or XLSX",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}},
                       **_UNKNOWN_EVENT})
async def export_registrations(
    event_id: UUID, file_format: Literal["csv", "xlsx"], pool: Pool, principal: StaffPrincipal,
    session_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
) -> Response:
    """The same registrations as the list (each download is in the audit trail)."""
    event, registrations, positions = await _listing(pool, principal, event_id, session_id, status)
    rows = exports.as_rows(registrations, {s.id: s.title for s in event.sessions}, positions)
    if file_format == "csv":
        body, media_type = exports.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media_type = exports.to_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    async with pool.acquire() as conn:
        await audit.record(conn, principal, "registrations.exported", event_id, event_id=event_id)
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="anmeldungen-{event_id}.{file_format}"'})


@router.post("/registrations/{registration_id}/cancel", response_model=StaffRegistration,
             summary="Cancel a registration on the person's behalf (idempotent)",
             responses={404: {"description": "There is no registration with this id."}})
async def staff_cancel(registration_id: UUID, pool: Pool, links: LinksDep, principal: StaffWriter) -> StaffRegistration:
    """Admins and the event's organisers."""
    registration = require_found(await repository.get(pool, registration_id), "registration", registration_id)
    may_cancel(principal, require_found(await get_event(pool, registration.event_id), "event", registration.event_id))
    cancelled = await cancel(pool, registration_id, CancelledBy.staff, links, by=principal)
    return staff_view(cancelled, await position_of(pool, cancelled))


class MessageDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "session_id": None, "audience": "confirmed", "subject": "Raumänderung",
        "body": "Guten Tag,\n\ndie Veranstaltung findet in Raum 2.14 statt.",
    }]})

    session_id: UUID | None = Field(None, description="One session of the event; null: the whole event.")
    audience: Audience = Field(description="confirmed, waitlisted, or all (both).")
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                              pattern=VISIBLE_LINE)] = Field(
        description="One line; the email's subject names the event before it.")
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000,
                                           pattern=VISIBLE_TEXT)] = Field(
        description="Plain text; the email frames it with a greeting and the event's details in the recipient's "
                    "language.")

    def draft(self) -> staff_messages.Draft:
        # Line breaks as one character, whichever a browser's form sent (CRLF): the email's paragraphs split on them.
        return staff_messages.Draft(self.session_id, self.audience, self.subject, self.body.replace("\r\n", "\n"))


class MessageQueued(BaseModel):
    id: UUID = Field(description="The message's id (the audit entry's target).")
    recipients: int = Field(description="How many participants it goes to (one email each).")


class MessagePreview(BaseModel):
    recipients: int = Field(description="How many participants it would go to now.")
    subject: str = Field(description="The subject as the recipients get it, the event named first.")
    body: str = Field(description="The text as it stands in the email, between the greeting and the event's details.")


class MessageSent(BaseModel):
    id: UUID
    session_id: UUID | None = Field(description="The session written to; null: the whole event.")
    audience: Audience
    subject: str = Field(description="As staff wrote it (the emails name the event before it).")
    body: str
    recipients: int = Field(description="How many participants it went to.")
    sent_by: str = Field(description="The staff account's id, or `token:<name>`.")
    sent_by_name: str = Field(description="The account's display name or the machine token's name.")
    sent_at: str = Field(description="When it was sent (ISO 8601).")


async def _managed_event(pool, principal: Principal, event_id: UUID):
    event = require_found(await get_event(pool, event_id), "event", event_id)
    may_write_to_participants(principal, event)
    return event


@router.post("/events/{event_id}/messages/preview", response_model=MessagePreview,
             summary="How a message to participants would read and how many it would reach (nothing is sent)",
             responses=_UNKNOWN_EVENT)
async def preview_message(event_id: UUID, draft: MessageDraft, pool: Pool, principal: StaffWriter) -> MessagePreview:
    """Admins and the event's organisers."""
    event = await _managed_event(pool, principal, event_id)
    preview = await staff_messages.preview(pool, event, draft.draft())
    return MessagePreview(recipients=preview.recipients, subject=preview.subject, body=preview.body)


@router.post("/events/{event_id}/messages", response_model=MessageQueued, status_code=202,
             summary="Write to an event's or a session's participants (sent by the notification service)",
             responses=_UNKNOWN_EVENT)
async def send_message(event_id: UUID, draft: MessageDraft, pool: Pool, links: LinksDep,
                       principal: StaffWriter) -> MessageQueued:
    """Admins and the event's organisers. Each recipient gets one email; the message is in the audit trail."""
    event = await _managed_event(pool, principal, event_id)
    sent = await staff_messages.send(pool, event, draft.draft(), links, principal)
    return MessageQueued(id=sent.id, recipients=sent.recipients)


@router.get("/events/{event_id}/messages", response_model=list[MessageSent],
            summary="The messages staff wrote to an event's participants, newest first", responses=_UNKNOWN_EVENT)
async def list_messages(event_id: UUID, pool: Pool, principal: StaffPrincipal) -> list[MessageSent]:
    """Admins and the event's organisers."""
    await _managed_event(pool, principal, event_id)
    return [MessageSent(id=m.id, session_id=m.session_id, audience=m.audience, subject=m.subject, body=m.body,
                        recipients=m.recipients, sent_by=m.sent_by, sent_by_name=m.sent_by_name,
                        sent_at=m.sent_at.isoformat())
            for m in await staff_messages.sent_messages(pool, event_id)]


audit_router = audit.audit_router("/api/staff", event_organisers)
