"""The pages behind the emailed links, and the request for one: `/invitation?token=...` (set the first
password), `/password-reset` (ask for a link by address) and `/password-reset/new?token=...` (set a new
password). No session exists on these pages: their forms carry a double-submit CSRF token, a random cookie
for these paths that the form's hidden field repeats (like the sign-in form's, see `dependencies`).

A link that is not valid (unknown, used, expired, or its account deactivated) gets one answer, with the
way to ask for a new one. Asking for a reset answers the same for every address, at once: the email is
sent after the answer (a background task), so the answer's time does not tell whether there is an account."""

import math
import secrets
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.languages import supported

from ..adapters.mail import MailNotSent
from ..adapters.one_time_links import Purpose
from ..domain.password_rules import MAX_LENGTH, MIN_LENGTH, password_problem
from ..service_layer import password_links
from ..service_layer.sign_in import TooManyAttempts
from ..settings import StaffSettings
from ..texts import texts
from .dependencies import ClockDep, Settings, csrf_matches, csrf_token_sent
from .pages import render

FORM_COOKIE = "treffpunkt_staff_password"
# The paths of the forms that this module's CSRF cookie is for (and that it is sent to).
FORM_PATHS = {Purpose.invitation: "/invitation", Purpose.password_reset: "/password-reset"}

router = APIRouter(include_in_schema=False)


def _with_form_token(request: Request, settings: StaffSettings, template: str, lang: str, path: str,
                     status_code: int = 200, **context) -> HTMLResponse:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, template, lang, status_code, csrf_token=token, **context)
    response.set_cookie(FORM_COOKIE, token, path=path, httponly=True, samesite="strict", secure=settings.secure_cookies)
    return response


async def _form_token_matches(request: Request) -> bool:
    return csrf_matches(await csrf_token_sent(request), request.cookies.get(FORM_COOKIE, ""))


def _link_invalid(request: Request, lang: str) -> HTMLResponse:
    return render(request, "link_invalid.html", lang, 410)


async def _set_password_page(request: Request, pool, settings: StaffSettings, clock, purpose: Purpose, token: str,
                             lang: str) -> HTMLResponse:
    account = await password_links.link_holder(pool, token, purpose, now=clock.now())
    if account is None:
        return _link_invalid(request, lang)
    return _with_form_token(request, settings, "set_password.html", lang, FORM_PATHS[purpose], account=account,
                            token=token, action=password_links.PATHS[purpose], errors={}, min_length=MIN_LENGTH)


async def _set_password(request: Request, pool, settings: StaffSettings, clock, purpose: Purpose, token: str,
                        password: str, password_repeat: str, lang: str) -> HTMLResponse:
    t = texts(lang)
    account = await password_links.link_holder(pool, token, purpose, now=clock.now())
    if account is None:
        return _link_invalid(request, lang)
    problem = password_problem(password, password_repeat)
    if not await _form_token_matches(request):
        problem = ("form", "form_expired_password")
    if problem is not None:
        field, key = problem
        status_code = 403 if field == "form" else 422
        return _with_form_token(request, settings, "set_password.html", lang, FORM_PATHS[purpose], status_code,
                                account=account, token=token, action=password_links.PATHS[purpose],
                                errors={field: t[key].format(min=MIN_LENGTH, max=MAX_LENGTH)}, min_length=MIN_LENGTH)
    if await password_links.set_password(pool, token, purpose, password, now=clock.now()) is None:
        return _link_invalid(request, lang)  # used by another request meanwhile
    response = render(request, "password_set.html", lang)
    response.delete_cookie(FORM_COOKIE, path=FORM_PATHS[purpose])
    return response


@router.get("/invitation", response_class=HTMLResponse)
async def invitation_page(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep, token: str = "",
                          lang: str = "de") -> HTMLResponse:
    return await _set_password_page(request, pool, settings, clock, Purpose.invitation, token, supported(lang))


@router.post("/invitation", response_class=HTMLResponse)
async def accept_invitation(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep,
                            token: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                            password_repeat: Annotated[str, Form()] = "",
                            lang: Annotated[str, Form()] = "de") -> HTMLResponse:
    return await _set_password(request, pool, settings, clock, Purpose.invitation, token, password, password_repeat,
                               supported(lang))


@router.get("/password-reset", response_class=HTMLResponse)
async def reset_request_page(request: Request, settings: Settings, lang: str = "de") -> HTMLResponse:
    return _with_form_token(request, settings, "password_reset.html", supported(lang), "/password-reset", email="",
                            errors={}, sent=False)


@router.post("/password-reset", response_class=HTMLResponse)
async def request_reset(request: Request, background: BackgroundTasks, pool: DatabasePool, settings: Settings,
                        clock: ClockDep, email: Annotated[str, Form()] = "",
                        lang: Annotated[str, Form()] = "de") -> Response:
    lang = supported(lang)
    t = texts(lang)

    def form(status_code: int, **context) -> HTMLResponse:
        return _with_form_token(request, settings, "password_reset.html", lang, "/password-reset", status_code,
                                **{"email": email, "errors": {}, "sent": False} | context)

    if not await _form_token_matches(request):
        return form(403, errors={"form": t["form_expired_password"]})
    if not email.strip():
        return form(422, errors={"email": t["error.email.missing"]})
    try:
        await password_links.admit_reset_request(pool, settings, client=request.client.host if request.client else "",
                                                 now=clock.now())
    except TooManyAttempts as refused:
        response = form(429, errors={"form": t["too_many_resets"].format(
            minutes=math.ceil(refused.retry_after_seconds / 60))})
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    background.add_task(_send_reset, pool, settings, email, clock)
    return form(200, email="", sent=True)


async def _send_reset(pool, settings: StaffSettings, email: str, clock) -> None:
    try:
        await password_links.send_reset(pool, settings, email, now=clock.now())
    except MailNotSent:
        pass  # logged by the mail adapter; the person may ask again


@router.get("/password-reset/new", response_class=HTMLResponse)
async def new_password_page(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep,
                            token: str = "", lang: str = "de") -> HTMLResponse:
    return await _set_password_page(request, pool, settings, clock, Purpose.password_reset, token, supported(lang))


@router.post("/password-reset/new", response_class=HTMLResponse)
async def set_new_password(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep,
                           token: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                           password_repeat: Annotated[str, Form()] = "",
                           lang: Annotated[str, Form()] = "de") -> HTMLResponse:
    return await _set_password(request, pool, settings, clock, Purpose.password_reset, token, password,
                               password_repeat, supported(lang))
