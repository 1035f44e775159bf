"""What every staff app page takes: the signed-in account (else the sign-in page), its language, the calls to
the other services with its own tokens, and rendering in the app's layout. Forms (POST) also carry the
session's CSRF token in their `csrf_token` field; one without it gets a page saying the form expired.

A service's refusal (403, 404, 409, 503 …) that a page does not handle itself becomes a page in the user's
language (`refused_page`), with the service's status code."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.languages import supported
from treffpunkt_shared.local_time import BERLIN

from ..adapters.service_calls import ServiceCalls, ServiceRefused
from ..service_layer.access_tokens import access_token
from ..texts import texts
from .app.nav import visible_nav
from .dependencies import ClockDep, MaybeSignedIn, Settings, SignedIn, csrf_matches, csrf_token_sent
from .pages import render


class SignInFirst(Exception):
    """A page asked for without a live session: the browser goes to the sign-in (and comes back after it)."""

    def __init__(self, lang: str | None, must_enrol_totp: bool = False) -> None:
        self.lang = lang
        self.must_enrol_totp = must_enrol_totp


class FormExpired(Exception):
    """A form came without the session's CSRF token."""

    def __init__(self, lang: str) -> None:
        self.lang = lang


@dataclass
class StaffPage:
    request: Request
    who: SignedIn
    lang: str
    calls: ServiceCalls
    now: datetime

    @property
    def t(self) -> dict[str, str]:
        return texts(self.lang)

    def url(self, path: str, **params: Any) -> str:
        """`path` with `params` (None left out), keeping a language chosen against the account's."""
        query = {name: value for name, value in params.items() if value not in (None, "")}
        if self.lang != self.who.account.language:
            query["lang"] = self.lang
        return path + (f"?{urlencode(query, doseq=True)}" if query else "")

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        notice = self.request.query_params.get("notice")
        return render(self.request, template, self.lang, status_code, account=self.who.account,
                      csrf_token=self.who.session.csrf_token, nav=visible_nav(self.who.account, self.request.url.path),
                      url=self.url, local=self.local, now=self.now, notice=self.t.get(f"notice.{notice}") if notice else None,
                      **context)

    def redirect(self, path: str, notice: str | None = None, **params: Any) -> RedirectResponse:
        """After a form: 303 to `path`, which shows the text `notice.<notice>` once as a status message."""
        return RedirectResponse(self.url(path, notice=notice, **params), status_code=303)

    def field_errors(self, refused: ServiceRefused) -> dict[str, str]:
        """What a service's 422 says is wrong, per field, in the user's words."""
        t = self.t
        return {name: t.get(f"error.{name}.{kind}") or t.get(f"error.{kind}") or t["error.invalid"]
                for name, kind in refused.field_errors.items()}

    def local(self, value: str | datetime | None, with_time: bool = True) -> str:
        """An ISO time from a service as people here read it (Berlin time, the language's format)."""
        if not value:
            return ""
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is not None:
            moment = moment.astimezone(BERLIN)
        return moment.strftime(self.t["date_time_format" if with_time else "date_format"])


async def _page(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep,
                who: MaybeSignedIn) -> StaffPage:
    asked = request.query_params.get("lang")
    if who is None:
        raise SignInFirst(supported(asked) if asked else None)
    if who.must_enrol_totp:
        raise SignInFirst(supported(asked or who.account.language), must_enrol_totp=True)

    async def mint(audience: str) -> str:
        return await access_token(pool, settings, who.account, audience, now=clock.now())

    calls = ServiceCalls(request.app.state.service_client, {"catalog": settings.catalog_url,
                         "registration": settings.registration_url, "notification": settings.notification_url},
                         mint)
    lang = supported(asked or who.account.language)
    request.state.lang = lang  # for `refused_page`, which has only the request
    return StaffPage(request, who, lang, calls, clock.now())


async def _form(request: Request, page: Annotated[StaffPage, Depends(_page)]) -> StaffPage:
    if not csrf_matches(await csrf_token_sent(request), page.who.session.csrf_token):
        raise FormExpired(page.lang)
    return page


PageDep = Annotated[StaffPage, Depends(_page)]
FormDep = Annotated[StaffPage, Depends(_form)]


async def sign_in_first(request: Request, refusal: SignInFirst) -> Response:
    if refusal.must_enrol_totp:
        return RedirectResponse(f"/account/totp?lang={refusal.lang}", status_code=303)
    return RedirectResponse("/sign-in" + (f"?lang={refusal.lang}" if refusal.lang else ""), status_code=303)


async def form_expired(request: Request, refusal: FormExpired) -> Response:
    t = texts(refusal.lang)
    return render(request, "message.html", refusal.lang, 403, heading=t["refused_title"], message=t["form_expired_page"])


async def refused_page(request: Request, refusal: ServiceRefused) -> Response:
    """A service's refusal that the page did not handle: a page naming it in the user's language (a 401 from a
    service means our token was not accepted: an internal fault, said as unavailable)."""
    lang = getattr(request.state, "lang", "de")
    status = 503 if refusal.status == 401 else refusal.status
    t = texts(lang)
    message = t.get(f"refused.{status}", t["refused.other"])
    return render(request, "message.html", lang, status if status >= 400 else 502, heading=t["refused_title"],
                  message=message)


EXCEPTION_HANDLERS = {SignInFirst: sign_in_first, FormExpired: form_expired, ServiceRefused: refused_page}
