"""Staff: participant lists per event and session (filtered and sorted in SQL), their exports, one registration
with its status history, cancelling on a person's behalf (with a reason for them), the audit trail.
Who may do what: `..authorization`."""

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from treffpunkt_shared import audit
from treffpunkt_shared.catalog_copy import event_organisers, get_event
from treffpunkt_shared.contracts.registration import VISIBLE_LINE, CancellationReason, CancelledBy
from treffpunkt_shared.errors import InvalidField, require_found
from treffpunkt_shared.staff_access import STAFF_REFUSALS, Principal, StaffPrincipal, StaffWriter

from ..adapters import repository
from ..authorization import may_cancel, may_see, visible_registrations
from ..domain.model import Cause, Registration, Status, causes
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


class StatusChange(BaseModel):
    status: Status
    at: datetime = Field(description="When the registration got this status.")
    caused_by: Cause = Field(description="registrant (registered or cancelled), staff (cancelled on the person's "
                             "behalf), seat_decision (the catalog's seat ledger), waitlist_move_up (a seat came free).")


class StaffRegistrationDetail(StaffRegistration):
    status_history: list[StatusChange] = Field(description="Each status it had, oldest first.")


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


audit_router = audit.audit_router("/api/staff", event_organisers)
