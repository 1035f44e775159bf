"""Staff: participant lists per event and session (filtered and sorted in SQL), their exports, one registration
with its status history, cancelling on a person's behalf (with a reason for them), moving a registration to
another session (the seat ledger decides: `service_layer.move`), erasing a person's data on their request
(DSGVO Art. 17), messages to the participants, the audit trail.
Who may do what: `..authorization`."""

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from treffpunkt_shared import audit
from treffpunkt_shared.catalog_copy import event_organisers, get_event
from treffpunkt_shared.contracts.registration import (
    VISIBLE_LINE,
    VISIBLE_TEXT,
    Audience,
    CancellationReason,
    CancelledBy,
    ErasedBecause,
)
from treffpunkt_shared.errors import Conflict, InvalidField, require_found
from treffpunkt_shared.staff_access import STAFF_REFUSALS, Principal, StaffPrincipal, StaffWriter

from ..adapters import repository
from ..authorization import (
    erasable_events,
    may_cancel,
    may_erase,
    may_erase_by_address,
    may_move,
    may_see,
    may_write_to_participants,
    visible_registrations,
)
from ..domain.commands import EraseAddress
from ..domain.model import Cause, Registration, Status, causes
from ..service_layer import staff_messages
from ..service_layer.cancel import cancel
from ..service_layer.erasure import erase, erase_address
from ..service_layer.move import move as move_registration
from ..service_layer.views import position_of
from . import exports
from .dependencies import LinksDep, Pool, Settings, Waiter

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


class StatusChange(BaseModel):
    status: Status
    at: datetime = Field(description="When the registration got this status.")
    caused_by: Cause = Field(description="registrant (registered or cancelled), staff (cancelled on the person's "
                             "behalf), seat_decision (the catalog's seat ledger), waitlist_move_up (a seat came free).")


class Moved(BaseModel):
    from_session_id: UUID
    to_session_id: UUID
    at: datetime = Field(description="When the seat ledger moved the seat (staff asked for it).")


class StaffRegistrationDetail(StaffRegistration):
    status_history: list[StatusChange] = Field(description="Each status it had, oldest first.")
    moves: list[Moved] = Field(description="Each move by staff to another session, oldest first.")


class MoveTo(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "session_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a02"}]})

    session_id: UUID = Field(description="Another session of the registration's event, with a free seat.")


class MoveAnswer(StaffRegistration):
    moving_to: UUID | None = Field(None, description="While the seat ledger has not answered yet (202): the session "
                                   "asked for. The registration's detail shows the move once it is done.")


class CancelOnBehalf(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "Die Sitzung ist für Mitglieder des Industriekreises vorgesehen."}]})

    reason: CancellationReason | None = Field(None, description="Why, in words for the person: it is in their "
                                              "cancellation email (and nowhere else: not in the audit trail).")


async def _filters(
    event_id: UUID,
    session_id: Annotated[UUID | None, Query(description="Only this session.")] = None,
    status: Annotated[list[Status] | None, Query(description="Only these statuses (repeat for several).")] = None,
    organisation: Annotated[str | None, Query(min_length=1, max_length=200, pattern=VISIBLE_LINE,
                                              description="Organisation contains this (any case).")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, pattern=VISIBLE_LINE,
                                   description="First or last name, email or organisation contains this (any case).")] = None,
    registered_from: Annotated[date | None, Query(description="Registered on this day (Berlin time) or later.")] = None,
    registered_to: Annotated[date | None, Query(description="Registered on this day (Berlin time) or earlier.")] = None,
    sort: Annotated[repository.Sort, Query(description="Order: created_at, last_name (a leading - reverses), status "
                                           "(the waiting list in its order), session (the default).")] = repository.Sort.session,
) -> repository.Listing:
    """The participant list's query, the same for the list and its exports."""
    if registered_from is not None and registered_to is not None and registered_to < registered_from:
        raise InvalidField("registered_to", "The end date is before the start date (registered_from).", location="query")
    return repository.Listing(event_id=event_id, session_id=session_id, statuses=tuple(status or ()),
                              organisation=organisation, search=q, registered_from=registered_from,
                              registered_to=registered_to, sort=sort)


Filters = Annotated[repository.Listing, Depends(_filters)]


async def _listing(pool, principal: Principal, query: repository.Listing):
    event = require_found(await get_event(pool, query.event_id), "event", query.event_id)
    visible = visible_registrations(principal, event, query.session_id)
    found = await repository.listing(pool, replace(query, session_ids=None if visible.all_sessions else visible.session_ids))
    return event, found


@router.get("/events/{event_id}/registrations", response_model=list[StaffRegistration],
            summary="Registrations of an event: filtered, searched, sorted", responses=_UNKNOWN_EVENT)
async def list_registrations(pool: Pool, principal: StaffPrincipal, query: Filters) -> list[StaffRegistration]:
    """Admins and the event's organisers: all; a session's contact person: that session's."""
    _, found = await _listing(pool, principal, query)
    return [staff_view(r, position) for r, position in found]


@router.get("/events/{event_id}/registrations.{file_format}", summary="Participant list as CSV or XLSX",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}},
                       **_UNKNOWN_EVENT})
async def export_registrations(
    event_id: UUID, file_format: Literal["csv", "xlsx"], pool: Pool, principal: StaffPrincipal, query: Filters,
) -> Response:
    """Exactly the registrations of the list with the same query (each download is in the audit trail)."""
    event, found = await _listing(pool, principal, query)
    rows = exports.as_rows([r for r, _ in found], {s.id: s.title for s in event.sessions},
                           {r.id: position for r, position in found})
    if file_format == "csv":
        body, media_type = exports.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media_type = exports.to_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    async with pool.acquire() as conn:
        await audit.record(conn, principal, "registrations.exported", event_id, event_id=event_id)
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="anmeldungen-{event_id}.{file_format}"'})


_UNKNOWN_REGISTRATION = {404: {"description": "There is no registration with this id."}}


@router.get("/registrations/{registration_id}", response_model=StaffRegistrationDetail,
            summary="One registration with its status history", responses=_UNKNOWN_REGISTRATION)
async def get_registration(registration_id: UUID, pool: Pool, principal: StaffPrincipal) -> StaffRegistrationDetail:
    """Whoever sees it in the lists: admins, the event's organisers, its session's contact persons."""
    registration = require_found(await repository.get(pool, registration_id), "registration", registration_id)
    may_see(principal, require_found(await get_event(pool, registration.event_id), "event", registration.event_id),
            registration.session_id)
    history = await repository.status_history(pool, registration_id)
    statuses = [Status(status) for status, _ in history]
    return StaffRegistrationDetail(
        **staff_view(registration, await position_of(pool, registration)).model_dump(),
        status_history=[StatusChange(status=status, at=at, caused_by=cause) for status, (_, at), cause
                        in zip(statuses, history, causes(statuses, registration.cancelled_by), strict=True)],
        moves=[Moved(from_session_id=m.from_session_id, to_session_id=m.to_session_id, at=m.decided_at)
               for m in await repository.moves(pool, registration_id) if m.state == "moved"],
    )


@router.post("/registrations/{registration_id}/cancel", response_model=StaffRegistration,
             summary="Cancel a registration on the person's behalf (idempotent)", responses=_UNKNOWN_REGISTRATION)
async def staff_cancel(registration_id: UUID, pool: Pool, links: LinksDep, principal: StaffWriter,
                       body: CancelOnBehalf | None = None) -> StaffRegistration:
    """Admins and the event's organisers. The person is emailed, with the reason if one is given (no body: none)."""
    registration = require_found(await repository.get(pool, registration_id), "registration", registration_id)
    may_cancel(principal, require_found(await get_event(pool, registration.event_id), "event", registration.event_id))
    cancelled = await cancel(pool, registration_id, CancelledBy.staff, links, by=principal,
                             reason=(body.reason or None) if body is not None else None)
    return staff_view(cancelled, await position_of(pool, cancelled))


@router.post("/registrations/{registration_id}/move", response_model=MoveAnswer,
             summary="Move a confirmed registration to another session of its event that has a free seat",
             responses={**_UNKNOWN_REGISTRATION,
                        202: {"description": "Asked; the catalog's seat ledger has not answered within the wait "
                              "(`moving_to`): see the registration's detail for the outcome."},
                        409: {"description": "The session has no free seat (nothing changed), the registration is "
                              "not confirmed, or another move of it is under way."}})
async def staff_move(registration_id: UUID, body: MoveTo, pool: Pool, waiter: Waiter, settings: Settings,
                     principal: StaffWriter, response: Response) -> MoveAnswer:
    """Admins and the event's organisers. The catalog's seat ledger decides, as for a registration: the old
    seat goes to the head of that session's waiting list; the person is emailed."""
    registration = require_found(await repository.get(pool, registration_id), "registration", registration_id)
    event = require_found(await get_event(pool, registration.event_id), "event", registration.event_id)
    may_move(principal, event)
    move = await move_registration(pool, waiter, registration, event, body.session_id, by=principal,
                                   now=datetime.now(UTC), wait_seconds=settings.max_wait_seconds)
    if move.state == "refused":
        raise Conflict(_MOVE_REFUSALS.get(move.refusal, "The catalog refused the move.") + " Nothing was changed.")
    current = require_found(await repository.get(pool, registration_id), "registration", registration_id)
    if move.state == "moving":
        response.status_code = 202
    return MoveAnswer(**staff_view(current, await position_of(pool, current)).model_dump(),
                      moving_to=body.session_id if move.state == "moving" else None)


_MOVE_REFUSALS = {
    "full": "The session has no free seat.",
    "not_held": "The registration holds no seat to move (any more).",
    "unknown_session": "This is not a session of the registration's event.",
}


@router.post("/registrations/{registration_id}/erase", response_model=StaffRegistration,
             summary="Erase a registration's personal data on the person's request (idempotent)",
             description="Cancelled first if active (the seat goes to the waiting list), then the personal data is "
                         "erased at once here and, through `RegistrationErased`, in every service. Cannot be undone. "
                         "The answer is the anonymous record that is left.",
             responses={404: {"description": "There is no registration with this id."}})
async def staff_erase(registration_id: UUID, pool: Pool, principal: StaffWriter) -> StaffRegistration:
    """Admins and the event's organisers."""
    registration = require_found(await repository.get(pool, registration_id), "registration", registration_id)
    may_erase(principal, require_found(await get_event(pool, registration.event_id), "event", registration.event_id))
    async with pool.acquire() as conn:
        erased = await erase(conn, registration_id, ErasedBecause.staff, datetime.now(UTC), by=principal)
    return staff_view(erased, None)


class ErasureAnswer(BaseModel):
    erased: int = Field(description="How many registrations were erased now (those erased before are not counted).")


@router.post("/erasures", response_model=ErasureAnswer,
             summary="Erase every registration of an email address, across events, on the person's request",
             description="Of the caller's reach: an admin every registration of the address, an organiser those of "
                         "their organisations' events (the answer says nothing about others). Each is erased as by "
                         "`POST /registrations/{registration_id}/erase`, and audited without the address.")
async def staff_erase_address(asked: EraseAddress, pool: Pool, principal: StaffWriter) -> ErasureAnswer:
    """Admins and organisers."""
    may_erase_by_address(principal)

    async def within(event_id: UUID) -> bool:
        return erasable_events(principal, await get_event(pool, event_id))

    async with pool.acquire() as conn:
        erased = await erase_address(conn, asked.email, ErasedBecause.staff, datetime.now(UTC), by=principal,
                                     within=within)
    return ErasureAnswer(erased=len(erased))


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
