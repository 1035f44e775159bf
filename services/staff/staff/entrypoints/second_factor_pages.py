"""The TOTP pages: `/account/totp` sets the second factor up (the secret as text and as an `otpauth://` URI,
the same as a QR code; confirmed with a code from the app), and `/sign-in/totp` asks for the code after a
right password (the session starts only then).

The enrolment form carries the session's CSRF token; the code form at sign-in, before there is a session,
the sign-in form's double-submit token (its cookie's path, /sign-in, covers /sign-in/totp)."""

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.languages import supported

from ..adapters import accounts, pending_sign_ins
from ..domain import totp
from ..service_layer import second_factor
from ..service_layer.second_factor import WrongCode
from ..service_layer.sign_in import TooManyAttempts
from ..texts import texts
from .dependencies import PENDING_SIGN_IN_COOKIE, ClockDep, MaybeSignedIn, Settings, csrf_matches, csrf_token_sent
from .pages import SIGN_IN_COOKIE, render, signed_in

router = APIRouter(include_in_schema=False)


def _code_error(t: dict[str, str], refused: Exception) -> tuple[int, str]:
    if isinstance(refused, TooManyAttempts):
        return 429, t["too_many_codes"].format(minutes=math.ceil(refused.retry_after_seconds / 60))
    return 422, t["error.code.wrong"]


async def _enrolment_page(request: Request, pool, who, lang: str, clock, status_code: int = 200,
                          error: str | None = None) -> HTMLResponse:
    secret = await second_factor.enrolment_secret(pool, who.account.id, now=clock.now())
    t = texts(lang)
    if secret is None:
        return render(request, "message.html", lang, heading=t["totp_title"], message=t["totp_already"])
    uri = second_factor.enrolment_uri(who.account, secret)
    qr_code, qr_size = totp.qr_code(uri)
    return render(request, "totp_enrol.html", lang, status_code, secret=totp.grouped(secret), uri=uri,
                  qr_code=qr_code, qr_size=qr_size, required=who.must_enrol_totp,
                  errors={"code": error} if error else {}, csrf_token=who.session.csrf_token)


@router.get("/account/totp", response_class=HTMLResponse)
async def enrolment_page(request: Request, pool: DatabasePool, clock: ClockDep, who: MaybeSignedIn,
                         lang: str | None = None) -> Response:
    if who is None:
        return RedirectResponse("/sign-in" + (f"?lang={supported(lang)}" if lang else ""), status_code=303)
    return await _enrolment_page(request, pool, who, supported(lang or who.account.language), clock)


@router.post("/account/totp", response_class=HTMLResponse)
async def confirm_enrolment(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep,
                            who: MaybeSignedIn, code: Annotated[str, Form()] = "",
                            lang: Annotated[str, Form()] = "de") -> Response:
    lang = supported(lang)
    t = texts(lang)
    if who is None:
        return RedirectResponse(f"/sign-in?lang={lang}", status_code=303)
    if not csrf_matches(await csrf_token_sent(request), who.session.csrf_token):
        return await _enrolment_page(request, pool, who, lang, clock, 403, t["form_expired_password"])
    try:
        await second_factor.check_code(pool, settings, who.account.id, code, now=clock.now())
    except (WrongCode, TooManyAttempts) as refused:
        status_code, error = _code_error(t, refused)
        return await _enrolment_page(request, pool, who, lang, clock, status_code, error)
    return render(request, "message.html", lang, heading=t["totp_title"], message=t["totp_enrolled"])


def _code_form(request: Request, lang: str, status_code: int = 200, error: str | None = None) -> HTMLResponse:
    return render(request, "totp_sign_in.html", lang, status_code, errors={"code": error} if error else {},
                  csrf_token=request.cookies.get(SIGN_IN_COOKIE, ""))


def _sign_in_again(lang: str) -> RedirectResponse:
    response = RedirectResponse(f"/sign-in?lang={lang}", status_code=303)
    response.delete_cookie(PENDING_SIGN_IN_COOKIE, path="/sign-in/totp")
    return response


@router.get("/sign-in/totp", response_class=HTMLResponse)
async def code_page(request: Request, pool: DatabasePool, clock: ClockDep, lang: str = "de") -> Response:
    lang = supported(lang)
    pending = request.cookies.get(PENDING_SIGN_IN_COOKIE, "")
    if not request.cookies.get(SIGN_IN_COOKIE) or await pending_sign_ins.holder(pool, pending, now=clock.now()) is None:
        return _sign_in_again(lang)
    return _code_form(request, lang)


@router.post("/sign-in/totp", response_class=HTMLResponse)
async def check_code(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep,
                     code: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "de") -> Response:
    lang = supported(lang)
    t = texts(lang)
    pending = request.cookies.get(PENDING_SIGN_IN_COOKIE, "")
    account_id = await pending_sign_ins.holder(pool, pending, now=clock.now())
    if account_id is None:
        return _sign_in_again(lang)
    if not csrf_matches(await csrf_token_sent(request), request.cookies.get(SIGN_IN_COOKIE, "")):
        return _code_form(request, lang, 403, t["form_expired_password"])
    try:
        await second_factor.check_code(pool, settings, account_id, code, now=clock.now())
    except (WrongCode, TooManyAttempts) as refused:
        status_code, error = _code_error(t, refused)
        return _code_form(request, lang, 401 if status_code == 422 else status_code, error)
    await pending_sign_ins.end(pool, pending)
    account = await accounts.get(pool, account_id)
    assert account is not None  # the pending sign-in's account is active
    response = await signed_in(pool, settings, clock, account, lang)
    response.delete_cookie(PENDING_SIGN_IN_COOKIE, path="/sign-in/totp")
    return response
