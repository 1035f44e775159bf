"""Signing in through the identity provider: `/sign-in/oidc` sends the browser there (with a binding cookie for
`/sign-in/oidc` only), `/sign-in/oidc/callback` is where it comes back; then the same session as a password
sign-in starts. Both answer 404 when OpenID Connect is not configured."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.languages import supported

from ..service_layer.oidc_sign_in import (
    OIDC,
    SIGN_IN_MAX_AGE,
    OpenIDRefused,
    ProviderUnavailable,
    begin,
    complete,
)
from ..service_layer.sign_in import start_session
from ..texts import texts
from .dependencies import ClockDep, Settings
from .pages import render, set_session_cookie

START_PATH = "/sign-in/oidc"
CALLBACK_PATH = "/sign-in/oidc/callback"
BROWSER_COOKIE = "treffpunkt_staff_oidc"

router = APIRouter(include_in_schema=False)

# What a refusal tells the person, by its kind (the exact reason is in the audit entry).
_STATUS = {"state": 400, "provider": 400, "identity": 403, "account": 403}


def _message(request: Request, lang: str, status_code: int, key: str) -> HTMLResponse:
    t = texts(lang)
    return render(request, "message.html", lang, status_code, heading=t["oidc_error_title"], message=t[key],
                  back_url=f"/sign-in?lang={lang}", back=t["oidc_back_to_sign_in"])


@router.get(START_PATH, response_class=HTMLResponse)
async def start_oidc_sign_in(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep,
                             lang: str = "de") -> Response:
    lang = supported(lang)
    client = request.app.state.oidc_client
    if client is None:
        return _message(request, lang, 404, "oidc_not_configured")
    try:
        url, browser_token = await begin(pool, client, redirect_uri=settings.base_url + CALLBACK_PATH, language=lang,
                                         now=clock.now())
    except ProviderUnavailable:
        return _message(request, lang, 503, "oidc_unavailable")
    response = RedirectResponse(url, status_code=303)
    # SameSite=Lax: the provider sends the browser back with a top-level GET, which carries it.
    response.set_cookie(BROWSER_COOKIE, browser_token, max_age=int(SIGN_IN_MAX_AGE.total_seconds()), path=START_PATH,
                        httponly=True, samesite="lax", secure=settings.secure_cookies)
    return response


@router.get(CALLBACK_PATH, response_class=HTMLResponse)
async def finish_oidc_sign_in(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep) -> Response:
    client = request.app.state.oidc_client
    if client is None:
        return _message(request, "de", 404, "oidc_not_configured")
    try:
        account, lang = await complete(pool, settings, client, params=request.query_params,
                                       browser_token=request.cookies.get(BROWSER_COOKIE, ""),
                                       redirect_uri=settings.base_url + CALLBACK_PATH, now=clock.now())
    except ProviderUnavailable:
        return _message(request, "de", 503, "oidc_unavailable")
    except OpenIDRefused as refused:
        response = _message(request, refused.language or "de", _STATUS[refused.kind], f"oidc_refused_{refused.kind}")
        response.delete_cookie(BROWSER_COOKIE, path=START_PATH)
        return response
    token, _ = await start_session(pool, account.id, now=clock.now(), detail=OIDC)
    response = RedirectResponse("/" if lang == account.language else f"/?lang={lang}", status_code=303)
    set_session_cookie(response, token, settings)
    response.delete_cookie(BROWSER_COOKIE, path=START_PATH)
    return response
