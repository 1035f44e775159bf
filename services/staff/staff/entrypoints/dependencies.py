"""What the routes take from the running app, and who is asking: the signed-in account of the session
cookie, with the CSRF check of every state-changing request made with that cookie.

CSRF: a synchronizer token bound to the session row (OWASP's first choice where there are server-side
sessions), sent back in the `X-CSRF-Token` header (API calls) or the `csrf_token` field (HTML forms,
which work without JavaScript). Not fastapi-csrf-protect: its tokens are stateless double-submit cookies
that outlive a sign-out, it needs one more secret to configure and rotate, its configuration is
process-wide (class attributes), and it reads a token from a header or from the body, as configured once,
not either. The sign-in form, before there is a session, is a double-submit: a random cookie for
/sign-in only, which the form's hidden field must repeat (see `pages`)."""

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from treffpunkt_shared.clock import Clock
from treffpunkt_shared.db import DatabasePool

from ..adapters import accounts, sessions
from ..adapters.sessions import Session, Timeouts
from ..domain.model import Account
from ..service_layer import second_factor
from ..settings import StaffSettings

SESSION_COOKIE = "treffpunkt_staff"
# A sign-in whose password was right and whose TOTP code is still to come (see `second_factor_pages`).
PENDING_SIGN_IN_COOKIE = "treffpunkt_staff_pending"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# For a router's `responses`: what the signed-in checks answer, in the OpenAPI document.
SIGNED_IN_REFUSALS: dict[int | str, dict] = {
    401: {"description": "Not signed in (no session cookie, or an ended or expired session)."},
    403: {"description": f"The CSRF token (`{CSRF_HEADER}` header) is missing or wrong, or an admin has yet to set "
                         "up the second factor that the operator requires."},
}
ADMIN_REFUSALS: dict[int | str, dict] = SIGNED_IN_REFUSALS | {
    403: {"description": f"Not an admin, or the CSRF token (`{CSRF_HEADER}` header) is missing or wrong, or the "
                         "admin has yet to set up the second factor that the operator requires."},
}


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: Session
    token: str  # the cookie's
    # An admin without the TOTP factor that `require_totp_for_admins` demands: may only set it up (or sign out).
    must_enrol_totp: bool = False


async def _settings(request: Request) -> StaffSettings:
    return request.app.state.runtime.settings


async def _clock(request: Request) -> Clock:
    return request.app.state.clock


Settings = Annotated[StaffSettings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]


def timeouts(settings: StaffSettings) -> Timeouts:
    return Timeouts(idle=timedelta(minutes=settings.session_idle_minutes),
                    absolute=timedelta(hours=settings.session_absolute_hours))


async def current(request: Request, pool: DatabasePool, settings: Settings, clock: ClockDep) -> SignedIn | None:
    """The signed-in account of the request's session cookie, if its session is live (which keeps it so)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = await sessions.resume(pool, token, timeouts(settings), now=clock.now())
    if session is None:
        return None
    account = await accounts.get(pool, session.account_id)
    if account is None:
        return None
    return SignedIn(account, session, token, await second_factor.requires_enrolment(pool, settings, account))


async def csrf_token_sent(request: Request) -> str:
    """The CSRF token the request carries: its header, or a form's field."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    return sent or ""


def csrf_matches(sent: str, expected: str) -> bool:
    return bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


async def _signed_in(request: Request, who: Annotated[SignedIn | None, Depends(current)]) -> SignedIn:
    if who is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Please sign in: there is no live session.")
    if request.method not in SAFE_METHODS and not csrf_matches(await csrf_token_sent(request), who.session.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"The CSRF token ({CSRF_HEADER} header) is missing or wrong.")
    if who.must_enrol_totp:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Admins must set up the second factor (TOTP) first, at "
                            "/account/totp.")
    return who


async def _admin(who: Annotated[SignedIn, Depends(_signed_in)]) -> SignedIn:
    if not who.account.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins may do this.")
    return who


# An API route's caller: signed in (401), and with the session's CSRF token on a change (403), and not an
# admin who must set up the second factor first (403).
SignedInCaller = Annotated[SignedIn, Depends(_signed_in)]
# ... and an admin (403).
AdminCaller = Annotated[SignedIn, Depends(_admin)]
MaybeSignedIn = Annotated[SignedIn | None, Depends(current)]
