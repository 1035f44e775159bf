"""The staff pages before and around a session: sign-in and sign-out (the signed-in app's pages: `app`).

Plain HTML forms: they work without JavaScript and by keyboard alone; styles come from one static file
(no inline styles or scripts). German by default, English with `?lang=en` (the signed-in pages default to
the account's language). Every form carries a CSRF token (see `dependencies`)."""

import math
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.languages import supported

from ..adapters import pending_sign_ins, totp_factors
from ..domain.model import Account
from ..service_layer.sign_in import SignInRefused, TooManyAttempts, check_password, sign_out, start_session
from ..settings import StaffSettings
from ..texts import texts
from .dependencies import PENDING_SIGN_IN_COOKIE, SESSION_COOKIE, ClockDep, MaybeSignedIn, Settings, csrf_matches, csrf_token_sent

# The sign-in form's double-submit CSRF token: no session exists yet to bind it to.
SIGN_IN_COOKIE = "treffpunkt_staff_sign_in"

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")

router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, lang: str, status_code: int = 200, **context) -> HTMLResponse:
    other = "en" if lang == "de" else "de"
    page = {"lang": lang, "t": texts(lang), "other_lang": other, "other_language_url": f"{request.url.path}?lang={other}"}
    return templates.TemplateResponse(request, template, page | context, status_code=status_code)


def _sign_in_form(request: Request, settings: StaffSettings, lang: str, status_code: int = 200, *, email: str = "",
                  error: str | None = None, notice: str | None = None, headers: dict[str, str] | None = None
                  ) -> HTMLResponse:
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "sign_in.html", lang, status_code, csrf_token=token, email=email, error=error,
                      notice=notice, oidc_provider_name=settings.oidc_provider_name if settings.oidc_enabled else None)
    response.set_cookie(SIGN_IN_COOKIE, token, path="/sign-in", httponly=True, samesite="strict",
                        secure=settings.secure_cookies)
    response.headers.update(headers or {})
    return response


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, settings: Settings, who: MaybeSignedIn, lang: str = "de",
                       signed_out: bool = False) -> Response:
    if who is not None:
        return RedirectResponse("/", status_code=303)
    lang = supported(lang)
    return _sign_in_form(request, settings, lang, notice=texts(lang)["signed_out"] if signed_out else None)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep,
                  email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                  lang: Annotated[str, Form()] = "de") -> Response:
    lang = supported(lang)
    t = texts(lang)
    if not csrf_matches(await csrf_token_sent(request), request.cookies.get(SIGN_IN_COOKIE, "")):
        return _sign_in_form(request, settings, lang, 403, email=email, error=t["form_expired"])
    if not email.strip() or not password:
        return _sign_in_form(request, settings, lang, 422, email=email, error=t["field_missing"])
    client = request.client.host if request.client else ""
    try:
        account = await check_password(pool, settings, email=email, password=password, client=client, now=clock.now())
    except TooManyAttempts as refused:
        minutes = math.ceil(refused.retry_after_seconds / 60)
        return _sign_in_form(request, settings, lang, 429, email=email, error=t["too_many_attempts"].format(minutes=minutes),
                             headers={"Retry-After": str(refused.retry_after_seconds)})
    except SignInRefused:
        return _sign_in_form(request, settings, lang, 401, email=email, error=t["sign_in_refused"])
    return await password_accepted(request, pool, settings, clock, account, lang)


async def password_accepted(request: Request, pool: DatabasePool, settings: StaffSettings, clock: ClockDep,
                            account: Account, lang: str) -> Response:
    """The password was right. An account with a second factor is asked for its code next (the session starts
    when the code is right, see `second_factor_pages`; the sign-in form's CSRF cookie guards that form too);
    without one the account is signed in now."""
    if await totp_factors.confirmed(pool, account.id):
        pending = await pending_sign_ins.start(pool, account.id, now=clock.now())
        response = RedirectResponse(f"/sign-in/totp?lang={lang}", status_code=303)
        response.set_cookie(PENDING_SIGN_IN_COOKIE, pending, max_age=int(pending_sign_ins.LIFETIME.total_seconds()),
                            path="/sign-in/totp", httponly=True, samesite="strict", secure=settings.secure_cookies)
        return response
    return await signed_in(pool, settings, clock, account, lang)


async def signed_in(pool: DatabasePool, settings: StaffSettings, clock: ClockDep, account: Account,
                    lang: str) -> Response:
    """Sign the account in: its session starts, and the browser goes to the landing page."""
    token, _ = await start_session(pool, account.id, now=clock.now())
    response = RedirectResponse("/" if lang == account.language else f"/?lang={lang}", status_code=303)
    set_session_cookie(response, token, settings)
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response


def set_session_cookie(response: Response, token: str, settings: StaffSettings) -> None:
    """The session's cookie: HttpOnly (no script reads it), SameSite=Lax (not sent with another site's
    forms), Secure outside `make dev`; it lasts no longer than the session may."""
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.session_absolute_hours * 3600, path="/",
                        httponly=True, samesite="lax", secure=settings.secure_cookies)


@router.post("/sign-out")
async def sign_out_form(request: Request, pool: DatabasePool, clock: ClockDep, who: MaybeSignedIn,
                        lang: Annotated[str, Form()] = "de") -> Response:
    if who is not None and not csrf_matches(await csrf_token_sent(request), who.session.csrf_token):
        t = texts(supported(lang))
        return render(request, "message.html", supported(lang), 403, heading=t["error_title_sign_out"],
                       message=t["form_expired_sign_out"])
    if who is not None:
        await sign_out(pool, who.token, now=clock.now())
    response = RedirectResponse(f"/sign-in?lang={supported(lang)}&signed_out=true", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
