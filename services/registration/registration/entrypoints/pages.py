"""The hosted pages: event list, registration form, answer, status and cancel pages, "my data" (with
its JSON download and erasure), and the accessibility statement; and the form's embed variant for another website (`/embed/events/{id}`).

Plain HTML forms: they work without JavaScript and by keyboard alone; styles come from one static
file (no inline styles or scripts). German by default (also for a language we do not speak), English
with `?lang=en`; what is wrong with the input in the page's language.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from treffpunkt_shared.catalog_copy import get_event, published_events
from treffpunkt_shared.contracts.catalog import Event
from treffpunkt_shared.contracts.registration import CancelledBy, ErasedBecause
from treffpunkt_shared.errors import InvalidField, Refused, TooManyRequests
from treffpunkt_shared.languages import supported
from treffpunkt_shared.local_time import BERLIN

from ..adapters import repository
from ..domain.commands import RegisterParticipant, SendLinksAgain
from ..service_layer.cancel import cancel
from ..service_layer.erasure import erase
from ..service_layer.links import send_links_again
from ..service_layer.my_data import my_data
from ..service_layer.register import register
from ..service_layer.views import view
from ..settings import RegistrationSettings
from ..texts import texts, validation_message
from .dependencies import LinksDep, Pool, Settings, Waiter
from .limits import admit_registration

FORM_WAIT_SECONDS = 3.0

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.filters["local_time"] = lambda value, fmt="%d.%m.%Y, %H:%M": value.astimezone(BERLIN).strftime(fmt)

router = APIRouter(include_in_schema=False)


async def _page_language(lang: str = "de") -> str:
    return supported(lang)


Lang = Annotated[str, Depends(_page_language)]


# The form's fields in their order on the page: the error summary lists them so, each linked to its field.
FORM_FIELDS = ("session_id", "first_name", "last_name", "email", "organisation", "phone", "remarks", "consent")


def _form_path(request: Request, event_id: UUID) -> str:
    """The form's own address: the embed variant (in another website's frame) posts to and links within itself."""
    return f"/embed/events/{event_id}" if _embedded(request) else f"/events/{event_id}/register"


def _embedded(request: Request) -> bool:
    return request.url.path.startswith("/embed/")


def _render(request: Request, settings: RegistrationSettings, template: str, lang: str, status_code: int = 200,
            **context) -> HTMLResponse:
    site = {"base_url": settings.base_url, "privacy_url": settings.privacy_url, "imprint_url": settings.imprint_url,
            "accessibility_feedback_email": settings.accessibility_feedback_email,
            "accessibility_enforcement_url": settings.accessibility_enforcement_url}
    page = {"lang": lang, "t": texts(lang), "site": site, "embed": _embedded(request)}
    return templates.TemplateResponse(request, template, page | context, status_code=status_code)


def _message(request: Request, settings: RegistrationSettings, lang: str, key: str, status_code: int = 200,
             **context) -> HTMLResponse:
    t = texts(lang)
    return _render(request, settings, "message.html", lang, status_code, heading=t["message_title"], message=t[key],
                   **context)


async def _invalid_link(request: Request, pool, settings: RegistrationSettings, registration_id: UUID) -> HTMLResponse:
    """403, with the way to the links page of the registration's event (an id is not guessable; the page
    asks for the address and answers the same whoever asks)."""
    registration = await repository.get(pool, registration_id)
    links_path = f"/events/{registration.event_id}/links" if registration is not None else None
    return _message(request, settings, "de", "invalid_link", 403, links_path=links_path)


@router.get("/", response_class=HTMLResponse)
async def event_list(request: Request, pool: Pool, settings: Settings, lang: Lang) -> HTMLResponse:
    events = await published_events(pool)
    organisers = {o.id: o for event in events for o in event.organisers}
    return _render(request, settings, "events.html", lang, events=events,
                   organisers=sorted(organisers.values(), key=lambda o: o.name))


@router.get("/barrierefreiheit", response_class=HTMLResponse)
async def accessibility_statement(request: Request, settings: Settings, lang: Lang) -> HTMLResponse:
    return _render(request, settings, "accessibility.html", lang)


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


async def _form(request: Request, pool, settings: RegistrationSettings, event_id: UUID, lang: str, *, values: dict | None = None,
                errors: dict[str, str] | None = None, message: str | None = None, status_code: int = 200) -> HTMLResponse:
    event = await get_event(pool, event_id)
    if event is None or event.status.value == "draft":
        return _render(request, settings, "message.html", lang, 404, message=texts(lang)["no_such_event"])
    return _render(request, settings, "register.html", lang, status_code, event=event, values=values or {},
                   errors=errors or {}, message=message, availability=await _availability(pool, event),
                   form_fields=FORM_FIELDS, form_path=_form_path(request, event_id))


@router.get("/events/{event_id}/register", response_class=HTMLResponse)
@router.get("/embed/events/{event_id}", response_class=HTMLResponse)
async def registration_form(request: Request, event_id: UUID, pool: Pool, settings: Settings,
                            lang: Lang) -> HTMLResponse:
    return await _form(request, pool, settings, event_id, lang)


@router.post("/events/{event_id}/register", response_class=HTMLResponse)
@router.post("/embed/events/{event_id}", response_class=HTMLResponse)
async def submit_registration(
    request: Request, event_id: UUID, pool: Pool, waiter: Waiter, links: LinksDep, settings: Settings,
    session_id: Annotated[str, Form()] = "", first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "",
    remarks: Annotated[str, Form()] = "", consent: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "de",
) -> HTMLResponse:
    lang = supported(lang)
    values = {"session_id": session_id, "first_name": first_name, "last_name": last_name, "email": email,
              "organisation": organisation, "phone": phone, "remarks": remarks, "consent": consent == "yes"}
    try:
        # An empty field and an unchecked box are missing, as in a JSON body without them.
        command = RegisterParticipant.model_validate({k: v for k, v in values.items() if v}
                                                     | {"event_id": event_id, "language": lang})
        now = datetime.now(UTC)
        await admit_registration(request, command.email, now=now)
        registered = await register(pool, waiter, command, now=now, site_privacy_url=settings.privacy_url or None,
                                    wait_seconds=FORM_WAIT_SECONDS)
    except ValidationError as exc:
        errors = {str(error["loc"][0]): validation_message(lang, error, error["loc"][0]) for error in exc.errors()}
        return await _form(request, pool, settings, event_id, lang, values=values, errors=errors, status_code=422)
    except InvalidField as exc:
        return await _form(request, pool, settings, event_id, lang, values=values, errors={exc.field: exc.message},
                           status_code=exc.status_code)
    except Refused as exc:
        page = await _form(request, pool, settings, event_id, lang, values=values, message=exc.message,
                           status_code=exc.status_code)
        if isinstance(exc, TooManyRequests):
            page.headers["Retry-After"] = str(exc.retry_after_seconds)
        return page
    registration = await view(pool, registered.registration, links)
    return _render(request, settings, "result.html", lang, status_code=201, registration=registration,
                   event=await get_event(pool, event_id), status_page=links.status_page(registration.id),
                   data_page=links.data_page(registration.id))


async def _links_form(request: Request, pool, settings: RegistrationSettings, event_id: UUID, lang: str,
                      status_code: int = 200, **context) -> HTMLResponse:
    event = await get_event(pool, event_id)
    if event is None or event.status.value == "draft":
        return _render(request, settings, "message.html", lang, 404, message=texts(lang)["no_such_event"])
    return _render(request, settings, "links.html", lang, status_code, event=event, **context)


@router.get("/events/{event_id}/links", response_class=HTMLResponse)
async def links_form(request: Request, event_id: UUID, pool: Pool, settings: Settings, lang: Lang) -> HTMLResponse:
    return await _links_form(request, pool, settings, event_id, lang)


@router.post("/events/{event_id}/links", response_class=HTMLResponse)
async def links_submit(request: Request, event_id: UUID, pool: Pool, links: LinksDep, settings: Settings,
                       email: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "de") -> HTMLResponse:
    # No CSRF token: the page sets no cookie and the POST changes nothing of anyone's; at most it sends a
    # registrant their own links, within the limits.
    lang = supported(lang)
    try:
        command = SendLinksAgain.model_validate({"event_id": event_id, "language": lang} | ({"email": email} if email else {}))
        await send_links_again(pool, links, settings, event_id=command.event_id, email=command.email,
                               language=command.language, client=request.client.host if request.client else "",
                               now=datetime.now(UTC))
    except ValidationError as exc:
        return await _links_form(request, pool, settings, event_id, lang, 422, email=email,
                                 error=validation_message(lang, exc.errors()[0], "email"))
    except TooManyRequests as exc:
        page = await _links_form(request, pool, settings, event_id, lang, exc.status_code, email=email,
                                 message=exc.message)
        page.headers["Retry-After"] = str(exc.retry_after_seconds)
        return page
    return await _links_form(request, pool, settings, event_id, lang, sent=True)


async def _registration_for_link(pool, links, registration_id: UUID, token: str):
    if not links.is_valid(registration_id, token):
        return None
    return await repository.get(pool, registration_id)


async def _linked_page(request: Request, pool, links, settings: RegistrationSettings, registration_id: UUID,
                       link_token: str, template: str, **context) -> HTMLResponse:
    """A page that the registrant's signed link opens, in the registration's language."""
    registration = await _registration_for_link(pool, links, registration_id, link_token)
    if registration is None:
        return await _invalid_link(request, pool, settings, registration_id)
    return _render(request, settings, template, registration.language, registration=await view(pool, registration, links),
                   event=await get_event(pool, registration.event_id), **context)


@router.get("/r/{registration_id}", response_class=HTMLResponse)
async def status_page(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, settings: Settings,
                      token: str = "") -> HTMLResponse:
    return await _linked_page(request, pool, links, settings, registration_id, token, "result.html",
                              cancel_page=links.cancel_page(registration_id), data_page=links.data_page(registration_id))


@router.get("/r/{registration_id}/cancel", response_class=HTMLResponse)
async def cancel_page(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, settings: Settings,
                      token: str = "") -> HTMLResponse:
    return await _linked_page(request, pool, links, settings, registration_id, token, "cancel.html", token=token)


@router.post("/r/{registration_id}/cancel", response_class=HTMLResponse)
async def cancel_submit(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, settings: Settings,
                        token: Annotated[str, Form()] = "") -> HTMLResponse:
    if await _registration_for_link(pool, links, registration_id, token) is None:
        return await _invalid_link(request, pool, settings, registration_id)
    cancelled = await cancel(pool, registration_id, CancelledBy.registrant, links)
    return _message(request, settings, cancelled.language, "cancelled_done")


@router.get("/r/{registration_id}/data", response_class=HTMLResponse)
async def my_data_page(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, settings: Settings,
                       token: str = "") -> HTMLResponse:
    """"Meine Daten / My data": what is held, with the JSON download and the way to erase it."""
    registration = await _registration_for_link(pool, links, registration_id, token)
    if registration is None:
        return await _invalid_link(request, pool, settings, registration_id)
    event = await get_event(pool, registration.event_id)
    page = _render(request, settings, "my_data.html", registration.language, data=await my_data(pool, registration, event),
                   event=event, download=links.data_download(registration_id), erase_page=links.erase_page(registration_id),
                   status_page=links.status_page(registration_id))
    page.headers["Cache-Control"] = "no-store"  # a person's data: kept in no cache on the way
    return page


@router.get("/r/{registration_id}/data.json")
async def my_data_download(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, settings: Settings,
                           token: str = "") -> Response:
    registration = await _registration_for_link(pool, links, registration_id, token)
    if registration is None:
        return await _invalid_link(request, pool, settings, registration_id)
    data = await my_data(pool, registration, await get_event(pool, registration.event_id))
    return Response(data.model_dump_json(indent=2), media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="treffpunkt-{registration_id}.json"', "Cache-Control": "no-store"})


@router.get("/r/{registration_id}/erase", response_class=HTMLResponse)
async def erase_page(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, settings: Settings,
                     token: str = "") -> HTMLResponse:
    return await _linked_page(request, pool, links, settings, registration_id, token, "erase.html", token=token,
                              data_page=links.data_page(registration_id))


@router.post("/r/{registration_id}/erase", response_class=HTMLResponse)
async def erase_submit(request: Request, registration_id: UUID, pool: Pool, links: LinksDep, settings: Settings,
                       token: Annotated[str, Form()] = "") -> HTMLResponse:
    # The signed token in the form is the CSRF protection, as on the cancel page: another site cannot know it.
    registration = await _registration_for_link(pool, links, registration_id, token)
    if registration is None:
        return await _invalid_link(request, pool, settings, registration_id)
    async with pool.acquire() as conn:
        await erase(conn, registration_id, ErasedBecause.registrant, datetime.now(UTC))
    return _message(request, settings, registration.language, "erased_done")
