"""Staff: participant lists per event and session, exports, cancelling on a person's behalf, erasing a person's
data on their request (DSGVO Art. 17), the audit trail.
Who may do what: `..authorization`."""

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from treffpunkt_shared import audit
from treffpunkt_shared.catalog_copy import event_organisers, get_event
from treffpunkt_shared.contracts.registration import CancelledBy, ErasedBecause
from treffpunkt_shared.errors import require_found
from treffpunkt_shared.staff_access import STAFF_REFUSALS, Principal, StaffPrincipal, StaffWriter

from ..adapters import repository
from ..authorization import erasable_events, may_cancel, may_erase, may_erase_by_address, visible_registrations
from ..domain.commands import EraseAddress
from ..domain.model import Registration, Status
from ..service_layer.cancel import cancel
from ..service_layer.erasure import erase, erase_address
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


audit_router = audit.audit_router("/api/staff", event_organisers)
