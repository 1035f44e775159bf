"""Staff access tokens: how the staff service signs them and how every other service verifies them.

A token is a compact JWS (a JWT) signed with Ed25519, named by the fully specified algorithm `Ed25519` of
RFC 9864 (the older `EdDSA` name leaves the curve open; joserfc marks it deprecated). The header names the
key (`kid`); the staff service publishes its public keys as a JWK Set at `/.well-known/jwks.json`, so it can
rotate keys without telling anyone: a verifier that meets an unknown `kid` fetches the set again.

The claims are `AccessClaims` (contracts/staff.py). A verifier checks the signature, `iss`, `aud` (its own
service: a token for registration is no good at the catalog), `exp` and `iat` with a small leeway for clocks.
"""

import asyncio
import time
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey
from pydantic import ValidationError

from .contracts.staff import AccessClaims, Membership

ALGORITHM = "Ed25519"
# Clocks of the staff service and the others may differ by this much.
LEEWAY_SECONDS = 30
# A fetched key set is used this long; an unknown `kid` fetches it sooner, at most once per
# `JWKS_REFETCH_SECONDS` (a stream of tokens with made-up key ids must not become a stream of fetches).
JWKS_MAX_AGE_SECONDS = 300
JWKS_REFETCH_SECONDS = 10


class InvalidAccessToken(Exception):
    """The token is not one the staff service issued for this service, or no longer valid. The message says why
    (for the 401's `WWW-Authenticate` error description; it never echoes the token)."""


def new_signing_key() -> OKPKey:
    """A fresh Ed25519 key; its id is its RFC 7638 thumbprint."""
    return OKPKey.generate_key("Ed25519", auto_kid=True)


def key_to_json(key: OKPKey) -> dict[str, Any]:
    """The private key as a JWK, for the staff service's database."""
    return key.as_dict(private=True)


def key_from_json(data: dict[str, Any]) -> OKPKey:
    return OKPKey.import_key(data)


def jwks(keys: Sequence[OKPKey]) -> dict[str, Any]:
    """The public JWK Set of `keys`: what `/.well-known/jwks.json` answers."""
    return {"keys": [key.as_dict(private=False) | {"use": "sig", "alg": ALGORITHM} for key in keys]}


def issue(key: OKPKey, *, issuer: str, audience: str, claims_sub: uuid.UUID | str, name: str,
          memberships: Sequence[Membership], lifetime_seconds: int, now: float | None = None) -> str:
    """A signed access token for `audience` (one service), valid for `lifetime_seconds` from `now`."""
    issued_at = int(time.time() if now is None else now)
    claims = AccessClaims(
        iss=issuer, aud=audience, sub=uuid.UUID(str(claims_sub)), iat=issued_at, exp=issued_at + lifetime_seconds,
        jti=uuid.uuid4().hex, name=name, memberships=list(memberships),
    )
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": "at+jwt"}
    return jwt.encode(header, claims.model_dump(mode="json"), key, algorithms=[ALGORITHM])


class TokenVerifier:
    """Verifies access tokens for one service against the staff service's published keys.

    One per process: it keeps the fetched key set. `now` is for tests of expiry."""

    def __init__(self, jwks_url: str, issuer: str, audience: str, *, client: httpx.AsyncClient | None = None,
                 refetch_seconds: float = JWKS_REFETCH_SECONDS) -> None:
        self.jwks_url, self.issuer, self.audience = jwks_url, issuer, audience
        self._refetch_seconds = refetch_seconds
        self._client = client
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def verify(self, token: str, *, now: float | None = None) -> AccessClaims:
        try:
            header = jws.extract_compact(token.encode()).protected
        except (JoseError, ValueError) as error:
            raise InvalidAccessToken("the token is not a signed JWT") from error
        if header.get("alg") != ALGORITHM:
            raise InvalidAccessToken(f"the token is not signed with {ALGORITHM}")
        keys = await self._key_set(header.get("kid"))
        try:
            decoded = jwt.decode(token, keys, algorithms=[ALGORITHM])
        except JoseError as error:
            raise InvalidAccessToken("the token's signature does not verify") from error
        registry = jwt.JWTClaimsRegistry(
            now=None if now is None else int(now), leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True}, iat={"essential": True}, sub={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except JoseError as error:
            raise InvalidAccessToken(f"the token's claims are not valid here ({error.error}: {error.description})") from error
        try:
            return AccessClaims.model_validate(decoded.claims)
        except ValidationError as error:
            raise InvalidAccessToken("the token's claims are not staff access claims") from error

    async def _key_set(self, kid: str | None) -> KeySet:
        """The published keys, fetched again when they are old or do not hold `kid` (a rotation)."""
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            unknown = self._keys is None or (kid is not None and not any(k.kid == kid for k in self._keys))
            if age > JWKS_MAX_AGE_SECONDS or (unknown and age > self._refetch_seconds):
                self._keys = await self._fetch()
                self._fetched_at = time.monotonic()
            if self._keys is None:
                raise InvalidAccessToken("the staff service's keys could not be fetched")
            return self._keys

    async def _fetch(self) -> KeySet | None:
        try:
            if self._client is not None:
                response = await self._client.get(self.jwks_url)
            else:
                async with httpx.AsyncClient(timeout=5) as client:
                    response = await client.get(self.jwks_url)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError):
            # Keep what we had: a staff service that is briefly down must not lock everyone out.
            return self._keys
