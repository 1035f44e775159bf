"""Signing in through the operator's identity provider: OpenID Connect's authorization code flow with PKCE
(S256), through Authlib's Starlette client (discovery from the issuer, the token request, the ID token's
signature checked against the provider's JWKS and its claims: iss, aud, exp, iat, nonce, at_hash).

The state, the nonce and the PKCE verifier stay on the server (`oidc_sign_in`, one row per sign-in under
way), bound to the browser that started it by a random cookie whose hash the row keeps; the callback takes
the row, so a state works once, and only in that browser, for `SIGN_IN_MAX_AGE`.

Every refusal leaves an audit entry "sign_in_failed" with detail "oidc: <reason>"; a sign-in one
"signed_in" with detail "oidc" (through the same session start as a password sign-in)."""

import logging
import secrets
import warnings
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError, MissingClaimError

from ..adapters import accounts, audit, oidc_sign_ins
from ..adapters.audit import Action, Actor
from ..adapters.oidc_sign_ins import PendingSignIn
from ..domain.model import Account, normalise_email
from ..domain.oidc_identity import Identity, Refused, check_account, identity, mapped_memberships
from ..metrics import OIDC_SIGN_INS
from ..settings import StaffSettings

with warnings.catch_warnings():
    # Authlib 1.9 would rather have httpx2 and warns when it finds httpx, the project's one HTTP client.
    from authlib.deprecate import AuthlibDeprecationWarning

    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

log = logging.getLogger(__name__)

SIGN_IN_MAX_AGE = timedelta(minutes=10)  # from leaving for the provider to coming back
CLOCK_LEEWAY_SECONDS = 60  # between the provider's clock and ours, for exp and iat
OIDC = "oidc"  # the audit entries' detail
PROVISIONED_BY = Actor("openid-connect")  # who creates an account for a mapped group member

_CLAIM_NAMES = {"aud": "audience", "iss": "issuer", "nonce": "nonce", "at_hash": "access token hash"}


class OpenIDRefused(Exception):
    """The provider's answer signs no one in; `reason` says why (audited), `target` whom it was about, `kind`
    what to tell the person: "state" (expired, used, another browser's), "provider" (its answer does not
    hold), "identity" (no verified address), "account" (no active account, no mapped group)."""

    def __init__(self, kind: str, reason: str, target: UUID | str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.target = target
        self.language: str | None = None  # of the page the sign-in started from, once known


class ProviderUnavailable(Exception):
    """The identity provider could not be reached (discovery, keys, token or UserInfo endpoint)."""


def create_client(settings: StaffSettings) -> StarletteOAuth2App:
    assert settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret
    # Authlib logs the PKCE verifier at debug level: not into the service's logs, whatever their level.
    logging.getLogger("authlib").setLevel(logging.INFO)
    return OAuth().register(
        "identity_provider",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256", "timeout": 10},
    )


async def begin(pool: asyncpg.Pool, client: StarletteOAuth2App, *, redirect_uri: str, language: str,
                now: datetime) -> tuple[str, str]:
    """Where to send the browser (the provider's authorization endpoint with state, nonce and the PKCE
    challenge) and the token for its binding cookie."""
    try:
        authorization = await client.create_authorization_url(redirect_uri)
    except httpx.HTTPError as error:
        raise ProviderUnavailable(str(error)) from error
    browser_token = secrets.token_urlsafe(32)
    await oidc_sign_ins.save(pool, PendingSignIn(authorization["state"], authorization["nonce"],
                                                 authorization["code_verifier"], language), browser_token, now=now)
    await oidc_sign_ins.purge_expired(pool, now=now, max_age=SIGN_IN_MAX_AGE)
    return authorization["url"], browser_token


async def complete(pool: asyncpg.Pool, settings: StaffSettings, client: StarletteOAuth2App, *,
                   params: Mapping[str, str], browser_token: str, redirect_uri: str,
                   now: datetime) -> tuple[Account, str]:
    """The account the provider's answer (`params`: the callback's query) signs in and the language of the
    page the sign-in started from; or OpenIDRefused, audited."""
    try:
        signed_in = await _complete(pool, settings, client, params, browser_token, redirect_uri, now)
    except ProviderUnavailable:
        OIDC_SIGN_INS.labels("unavailable").inc()
        raise
    except OpenIDRefused as refused:
        await audit.record(pool, audit.ANONYMOUS, Action.sign_in_failed, refused.target, now=now,
                           detail=f"{OIDC}: {refused.reason}")
        OIDC_SIGN_INS.labels("refused").inc()
        log.info("OpenID Connect sign-in refused: %s", refused.reason)
        raise
    OIDC_SIGN_INS.labels("signed_in").inc()
    return signed_in


async def _complete(pool: asyncpg.Pool, settings: StaffSettings, client: StarletteOAuth2App,
                    params: Mapping[str, str], browser_token: str, redirect_uri: str,
                    now: datetime) -> tuple[Account, str]:
    taken = await oidc_sign_ins.take(pool, params.get("state", ""), browser_token)
    if taken is None:
        raise OpenIDRefused("state", "unknown or used state")
    try:
        if not taken.same_browser:
            raise OpenIDRefused("state", "state of another browser")
        if taken.started_at <= now - SIGN_IN_MAX_AGE:
            raise OpenIDRefused("state", "state expired")
        account = await _verified_account(pool, settings, client, params, taken.pending, redirect_uri, now)
    except OpenIDRefused as refused:
        refused.language = taken.pending.language
        raise
    return account, taken.pending.language


async def _verified_account(pool: asyncpg.Pool, settings: StaffSettings, client: StarletteOAuth2App,
                            params: Mapping[str, str], pending: PendingSignIn, redirect_uri: str,
                            now: datetime) -> Account:
    if "error" in params:  # the person cancelled, or the provider refused them
        raise OpenIDRefused("provider", f"provider answered {_token(params['error'])}")
    issuer = await _issuer(client, settings)
    if "iss" in params and params["iss"] != issuer:  # RFC 9207: an answer from another provider (mix-up)
        raise OpenIDRefused("provider", "issuer of the answer")
    if not params.get("code"):
        raise OpenIDRefused("provider", "no code")
    try:
        token = await client.fetch_access_token(redirect_uri=redirect_uri, code=params["code"],
                                                code_verifier=pending.code_verifier)
    except OAuthError as error:
        raise OpenIDRefused("provider", f"token endpoint answered {_token(error.error)}") from error
    except httpx.HTTPError as error:
        raise ProviderUnavailable(str(error)) from error
    claims = await _id_token_claims(client, token, pending.nonce, issuer)
    claims = await _with_userinfo(client, settings, token, claims)
    try:
        person = identity(claims, settings.oidc_groups_claim)
    except Refused as refused:
        raise OpenIDRefused("identity", refused.reason, _target_of(claims)) from None
    return await _account_for(pool, settings, person, now)


async def _issuer(client: StarletteOAuth2App, settings: StaffSettings) -> str:
    """The configured issuer, once the discovery document names the same (OpenID Connect Discovery 4.3)."""
    try:
        metadata = await client.load_server_metadata()
    except httpx.HTTPError as error:
        raise ProviderUnavailable(str(error)) from error
    if metadata.get("issuer") != settings.oidc_issuer:
        raise OpenIDRefused("provider", "discovery document of another issuer")
    return settings.oidc_issuer


async def _id_token_claims(client: StarletteOAuth2App, token: dict[str, Any], nonce: str,
                           issuer: str) -> dict[str, Any]:
    """The ID token's claims once its signature (the provider's JWKS) and claims (iss, aud, exp, iat, nonce,
    at_hash) hold."""
    if "id_token" not in token:
        raise OpenIDRefused("provider", "no ID token")
    options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client.client_id},
               "sub": {"essential": True}}
    try:
        return dict(await client.parse_id_token(token, nonce, claims_options=options, leeway=CLOCK_LEEWAY_SECONDS))
    except httpx.HTTPError as error:
        raise ProviderUnavailable(str(error)) from error
    except BadSignatureError:
        raise OpenIDRefused("provider", "ID token signature") from None
    except ExpiredTokenError:
        raise OpenIDRefused("provider", "ID token expired") from None
    except MissingClaimError as error:
        raise OpenIDRefused("provider", f"ID token without {_CLAIM_NAMES.get(error.claim, error.claim)}") from None
    except ClaimError as error:
        raise OpenIDRefused("provider", f"ID token {_CLAIM_NAMES.get(error.claim, error.claim)}") from None
    except JoseError as error:
        raise OpenIDRefused("provider", f"ID token {error.error}") from None


async def _with_userinfo(client: StarletteOAuth2App, settings: StaffSettings, token: dict[str, Any],
                         claims: dict[str, Any]) -> dict[str, Any]:
    """The claims, completed from the UserInfo endpoint where the ID token lacks the address or the groups (the
    standard puts the scopes' claims there for the code flow; Keycloak puts them in the ID token too)."""
    wanted = {"email", "email_verified"} | ({settings.oidc_groups_claim} if settings.oidc_groups_claim else set())
    if wanted <= claims.keys():
        return claims
    try:
        userinfo = await client.userinfo(token=token)
    except httpx.HTTPError as error:
        raise ProviderUnavailable(str(error)) from error
    if userinfo.get("sub") != claims["sub"]:  # OpenID Connect Core 5.3.2: else it may be someone else's
        raise OpenIDRefused("provider", "UserInfo of another subject")
    return dict(userinfo) | claims


async def _account_for(pool: asyncpg.Pool, settings: StaffSettings, person: Identity, now: datetime) -> Account:
    """The account `person` signs in as: the one of their address; with a group mapping, with the memberships
    of their groups (and created if the address has none)."""
    mapped = mapped_memberships(person.groups, settings.oidc_group_roles) if settings.oidc_groups_claim else None
    async with pool.acquire() as conn, conn.transaction():
        account = await accounts.find_by_email(conn, person.email)
        try:
            check_account(account, mapped=mapped)
        except Refused as refused:
            raise OpenIDRefused("account", refused.reason, account.id if account else _hashed(person.email)) from None
        if mapped is None:
            assert account is not None
            return account
        if account is None:
            account_id = await accounts.insert(conn, email=person.email, display_name=person.name, language="de")
            if account_id is None:  # a sign-in in another browser created it meanwhile: that one it is
                return await _account_for(pool, settings, person, now)
            await audit.record(conn, PROVISIONED_BY, Action.account_created, account_id, now=now, detail=OIDC)
        else:
            account_id = account.id
        if account is None or set(account.memberships) != set(mapped):
            await accounts.replace_memberships(conn, account_id, mapped)
            if account is not None:
                await audit.record(conn, PROVISIONED_BY, Action.account_changed, account_id, now=now,
                                   detail=f"{OIDC}: memberships from groups")
        found = await accounts.get(conn, account_id)
    assert found is not None
    return found


def _target_of(claims: Mapping[str, Any]) -> str | None:
    email = claims.get("email")
    return _hashed(email) if isinstance(email, str) else None


def _hashed(email: str) -> str:
    return audit.hashed_email(normalise_email(email))


def _token(value: object) -> str:
    """An error code from outside, safe for an audit entry: letters, digits and underscores, and short."""
    text = "".join(c for c in str(value) if c.isalnum() or c == "_")[:40]
    return text or "an error"
