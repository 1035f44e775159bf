"""The hosted pages: event list, registration form, answer, status and cancel pages.

Plain HTML forms: they work without JavaScript and by keyboard alone. German by default,
English with `?lang=en`.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from treffpunkt_shared.catalog_copy import get_event, published_events
from treffpunkt_shared.contracts.catalog import Event
from treffpunkt_shared.contracts.registration import CancelledBy
from treffpunkt_shared.errors import InvalidField, NotFound, Refused

from ..adapters import repository
from ..domain.commands import RegisterParticipant
from ..service_layer.cancel import cancel
from ..service_layer.register import register
from ..service_layer.views import view
from ..texts import texts
from .dependencies import LinksDep, Pool, Waiter

BERLIN = ZoneInfo("Europe/Berlin")
FORM_WAIT_SECONDS = 3.0

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.filters["local_time"] = lambda value, fmt="%d.%m.%Y, %H:%M": value.astimezone(BERLIN).strftime(fmt)

router = APIRouter(include_in_schema=False)
Lang = Annotated[str, Query(pattern="^(de|en)$")]


def _render(request: Request, template: str, lang: str, status_code: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"lang": lang, "t": texts(lang), **context},
                                      status_code=status_code)


@router.get("/", response_class=HTMLResponse)
async def event_list(request: Request, pool: Pool, lang: Lang = "de") -> HTMLResponse:
    return _render(request, "events.html", lang, events=await published_events(pool))


async def _availability(pool, event: Event) -> dict[UUID, dict]:
    counts = await repository.session_counts(pool, event.id)
    availability = {}
    for session in event.sessions:
        taken = counts.get(session.id, {"confirmed": 0, "waitlisted": 0})
        availability[session.id] = {
            "free": max(session.capacity - taken["confirmed"], 0),
            "waitlist_open": taken["waitlisted"] < session.waitlist_size,
        }
    return availability


async def _form(request: Request, pool, event_id: UUID, lang: str, *, values: dict | None = None,
                errors: dict[str, str] | None = None, message: str | None = None, status_code: int = 200) -> HTMLResponse:
    event = await get_event(pool, event_id)
    if event is None or event.status.value == "draft":
        raise NotFound("event", event_id)
    return _render(request, "register.html", lang, status_code, event=event, values=values or {},
                   errors=errors or {}, message=message, availability=await _availability(pool, event))


@router.get("/events/{event_id}/register", response_class=HTMLResponse)
async def registration_form(request: Request, event_id: UUID, pool: Pool, lang: Lang = "de") -> HTMLResponse:
    return await _form(request, pool, event_id, lang)


@router.post("/events/{event_id}/register", response_class=HTMLResponse)
async def submit_registration(
    request: Request, event_id: UUID, pool: Pool, waiter: Waiter, links: LinksDep,
    session_id: Annotated[str, Form()] = "", first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "",
    remarks: Annotated[str, Form()] = "", consent: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "de",
) -> HTMLResponse:
    lang = lang if lang in ("de", "en") else "de"
    values = {"session_id": session_id, "first_name": first_name, "last_name": last_name, "email": email,
              "organisation": organisation, "phone": phone, "remarks": remarks, "consent": consent == "yes"}
    try:
        command = RegisterParticipant.model_validate(
            values | {"event_id": event_id, "session_id": session_id or None, "language": lang,
                      "phone": phone or None, "remarks": remarks or None, "consent": consent == "yes" or None})
        registered = await register(pool, waiter, command, now=datetime.now(UTC), wait_seconds=FORM_WAIT_SECONDS)
    except ValidationError as exc:
        errors = {str(error["loc"][0]): error["msg"] for error in exc.errors()}
        return await _form(request, pool, event_id, lang, values=values, errors=errors, status_code=422)
    except InvalidField as exc:
        return await _form(request, pool, event_id, lang, values=values, errors={exc.field: exc.message},
                           status_code=exc.status_code)
    except Refused as exc:
        return await _form(request, pool, event_id, lang, values=values, message=exc.message,
                           status_code=exc.status_code)
    registration = await view(pool, registered.registration, links)
    return _render(request, "result.html", lang, status_code=201, registration=registration,
                   event=await get_event(pool, event_id), status_page=links.status_page(registration.id))


async def _registration_for_link(pool, links, registration_id: UUID, token: str):
    if not links.is_valid(registration_id, token):
        return None
    return await repository.get(pool, registration_id)


@router.get("/r/{registration_id}", response_class=HTMLResponse)
async def status_page(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, token: str = "") -> HTMLResponse:
    registration = await _registration_for_link(pool, links, registration_id, token)
    if registration is None:
        return _render(request, "message.html", "de", 403, message=texts("de")["invalid_link"])
    return _render(request, "result.html", registration.language, registration=await view(pool, registration, links),
                   event=await get_event(pool, registration.event_id), cancel_page=links.cancel_page(registration_id))


@router.get("/r/{registration_id}/cancel", response_class=HTMLResponse)
async def cancel_page(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, token: str = "") -> HTMLResponse:
    registration = await _registration_for_link(pool, links, registration_id, token)
    if registration is None:
        return _render(request, "message.html", "de", 403, message=texts("de")["invalid_link"])
    return _render(request, "cancel.html", registration.language, registration=await view(pool, registration, links),
                   event=await get_event(pool, registration.event_id), token=token)


@router.post("/r/{registration_id}/cancel", response_class=HTMLResponse)
async def cancel_submit(request: Request, registration_id: UUID, pool: Pool, links: LinksDep,
                        token: Annotated[str, Form()] = "") -> HTMLResponse:
    if await _registration_for_link(pool, links, registration_id, token) is None:
        return _render(request, "message.html", "de", 403, message=texts("de")["invalid_link"])
    cancelled = await cancel(pool, registration_id, CancelledBy.registrant, links)
    return _render(request, "message.html", cancelled.language, message=texts(cancelled.language)["cancelled_done"])
