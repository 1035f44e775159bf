"""The public JSON API that cities' and chambers' websites post to."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, HTTPException, Query, Response, status

from treffpunkt_shared.contracts.registration import CancelledBy
from treffpunkt_shared.errors import require_found

from ..adapters import repository
from ..domain.commands import RegisterParticipant
from ..service_layer.cancel import cancel
from ..service_layer.register import register
from ..service_layer.views import RegistrationView, view
from .dependencies import LinksDep, Pool, Settings, Waiter

router = APIRouter(prefix="/api/registrations", tags=["registrations"])

Token = Annotated[str, Query(description="The signed token from the registration's links.")]


@router.post(
    "",
    response_model=RegistrationView,
    status_code=status.HTTP_201_CREATED,
    summary="Register for a session of an event",
    responses={
        201: {"description": "Registered; the seat is decided (confirmed, waitlisted or rejected)."},
        202: {"description": "Registered and durable; the seat decision is still pending."},
        409: {"description": "Already registered with this email for the event, or registration closed."},
        410: {"description": "The deadline has passed or the event was cancelled."},
        422: {"description": "Invalid data; `detail[].loc` names the field."},
    },
)
async def post_registration(
    command: RegisterParticipant,
    pool: Pool,
    waiter: Waiter,
    links: LinksDep,
    settings: Settings,
    wait: Annotated[float, Query(ge=0, description="Seconds to wait for the seat decision before answering.")] = 0,
    idempotency_key: Annotated[str | None, Header(max_length=200, description="Repeat a request safely: the same key "
                                                  "returns the first answer.")] = None,
) -> Response:
    registered = await register(pool, waiter, command, now=datetime.now(UTC), idempotency_key=idempotency_key,
                                wait_seconds=min(wait, settings.max_wait_seconds))
    # The hot path of a rush: the JSON made once from the view rather than validated again against
    # `response_model` (which still documents it).
    registration = await view(pool, registered.registration, links)
    return Response(registration.model_dump_json(), media_type="application/json",
                    status_code=status.HTTP_201_CREATED if registered.registration.final else status.HTTP_202_ACCEPTED)


@router.get("/{registration_id}", response_model=RegistrationView, summary="The registration's current status")
async def get_registration(registration_id: UUID, token: Token, pool: Pool, links: LinksDep) -> RegistrationView:
    _check_token(links, registration_id, token)
    registration = require_found(await repository.get(pool, registration_id), "registration", registration_id)
    return await view(pool, registration, links)


@router.post("/{registration_id}/cancel", response_model=RegistrationView, summary="Cancel (idempotent)")
async def cancel_registration(registration_id: UUID, token: Token, pool: Pool, links: LinksDep) -> RegistrationView:
    _check_token(links, registration_id, token)
    return await view(pool, await cancel(pool, registration_id, CancelledBy.registrant, links), links)


def _check_token(links: LinksDep, registration_id: UUID, token: str) -> None:
    if not links.is_valid(registration_id, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This link is not valid for this registration.")
