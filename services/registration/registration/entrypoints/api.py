"""The public JSON API that cities' and chambers' websites post to."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field

from treffpunkt_shared.contracts.registration import CancelledBy

from ..adapters import repository
from ..domain.commands import RegisterParticipant, SendLinksAgain
from ..service_layer.cancel import cancel
from ..service_layer.links import send_links_again
from ..service_layer.register import register
from ..service_layer.views import RegistrationView, view
from ..texts import texts
from .dependencies import AnswerLanguage, LinksDep, Pool, Settings, Waiter
from .limits import admit_registration

router = APIRouter(prefix="/api/registrations", tags=["registrations"])


class LinksAnswer(BaseModel):
    message: str = Field(description="Always the same, whether or not the address is registered for the event.")

Token = Annotated[str, Query(description="The signed token from the registration's links.")]
_BY_LINK = {
    403: {"description": "The token is not valid for this registration."},
    404: {"description": "There is no registration with this id."},
}


@router.post(
    "",
    response_model=RegistrationView,
    status_code=status.HTTP_201_CREATED,
    summary="Register for a session of an event",
    responses={
        201: {"description": "Registered; the seat is decided (confirmed, waitlisted or rejected)."},
        202: {"description": "Registered and durable; the seat decision is still pending."},
        401: {"description": "A client token was sent (`Authorization: Bearer`) that is unknown or revoked."},
        409: {"description": "Already registered with this email for the event, or registration closed."},
        410: {"description": "The deadline has passed or the event was cancelled."},
        422: {"description": "Invalid data; `detail[].loc` names the field. Messages are in the body's `language`, "
                             "else as `Accept-Language` asks (de or en), else German."},
        429: {"description": "A rate limit is reached (per client address or token, per email address); "
                             "`Retry-After` says when to try again."},
    },
)
async def post_registration(
    request: Request,
    command: RegisterParticipant,
    pool: Pool,
    waiter: Waiter,
    links: LinksDep,
    settings: Settings,
    wait: Annotated[float, Query(ge=0, description="Seconds to wait for the seat decision before answering.")] = 0,
    idempotency_key: Annotated[str | None, Header(max_length=200, description="Repeat a request safely: the same key "
                                                  "returns the first answer.")] = None,
) -> Response:
    now = datetime.now(UTC)
    await admit_registration(request, command.email, now=now, idempotency_key=idempotency_key)
    registered = await register(pool, waiter, command, now=now, site_privacy_url=settings.privacy_url or None,
                                idempotency_key=idempotency_key,
                                wait_seconds=min(wait, settings.max_wait_seconds))
    # The hot path of a rush: the JSON made once from the view rather than validated again against
    # `response_model` (which still documents it).
    registration = await view(pool, registered.registration, links)
    return Response(registration.model_dump_json(), media_type="application/json",
                    status_code=status.HTTP_201_CREATED if registered.registration.final else status.HTTP_202_ACCEPTED)


@router.post(
    "/links",
    response_model=LinksAnswer,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a registration's links again",
    description="The status and cancel links of the address's active registration for the event go to that "
                "address, by email. The answer is the same whether or not the address is registered (also once "
                "the address's own limit is reached: then nothing is sent).",
    responses={
        202: {"description": "Taken: if the address is registered for the event, an email is on its way."},
        422: {"description": "Invalid data; `detail[].loc` names the field."},
        429: {"description": "Too many requests from this client address; `Retry-After` says when to try again."},
    },
)
async def post_links_again(request: Request, command: SendLinksAgain, pool: Pool, links: LinksDep,
                           settings: Settings) -> LinksAnswer:
    await send_links_again(pool, links, settings, event_id=command.event_id, email=command.email,
                           language=command.language, client=request.client.host if request.client else "",
                           now=datetime.now(UTC))
    return LinksAnswer(message=texts(command.language)["links_sent"])


@router.get("/{registration_id}", response_model=RegistrationView, summary="The registration's current status",
            responses=_BY_LINK)
async def get_registration(registration_id: UUID, token: Token, pool: Pool, links: LinksDep,
                           language: AnswerLanguage) -> RegistrationView:
    _check_token(links, registration_id, token, language)
    registration = await repository.get(pool, registration_id)
    if registration is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, texts(language)["refused.unknown_registration"])
    return await view(pool, registration, links)


@router.post("/{registration_id}/cancel", response_model=RegistrationView, summary="Cancel (idempotent)",
             responses=_BY_LINK)
async def cancel_registration(registration_id: UUID, token: Token, pool: Pool, links: LinksDep,
                              language: AnswerLanguage) -> RegistrationView:
    _check_token(links, registration_id, token, language)
    return await view(pool, await cancel(pool, registration_id, CancelledBy.registrant, links), links)


def _check_token(links: LinksDep, registration_id: UUID, token: str, language: str) -> None:
    if not links.is_valid(registration_id, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, texts(language)["invalid_link"])
