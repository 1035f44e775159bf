"""Access tokens for the other services (`POST /api/tokens`, with the session cookie and its CSRF token),
and the public keys that verify them (`GET /.well-known/jwks.json`)."""

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from treffpunkt_shared.contracts.staff import AUDIENCES
from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.staff_tokens import jwks

from ..adapters import signing_keys
from ..service_layer.access_tokens import access_token, kept_for
from .dependencies import SIGNED_IN_REFUSALS, ClockDep, Settings, SignedInCaller

router = APIRouter(tags=["tokens"])


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"audience": "registration"}]})

    audience: Literal[AUDIENCES] = Field(description="The service the token is for.")  # type: ignore[valid-type]


class TokenAnswer(BaseModel):
    access_token: str = Field(description="A signed JWT (Ed25519) for the audience's staff API: "
                              "`Authorization: Bearer <access_token>`.")
    token_type: str = Field("Bearer", description="Always `Bearer`.")
    expires_in: int = Field(description="Seconds until it expires.")


@router.post("/api/tokens", response_model=TokenAnswer, summary="An access token for one service's staff API",
             description="For the signed-in account, with its memberships; valid for minutes "
             "(`STAFF_ACCESS_TOKEN_LIFETIME_SECONDS`). Ask again for a new one.", responses=SIGNED_IN_REFUSALS)
async def create_access_token(request: TokenRequest, pool: DatabasePool, settings: Settings, clock: ClockDep,
                              caller: SignedInCaller, response: Response) -> TokenAnswer:
    response.headers["Cache-Control"] = "no-store"
    token = await access_token(pool, settings, caller.account, request.audience, now=clock.now())
    return TokenAnswer(access_token=token, expires_in=settings.access_token_lifetime_seconds)


@router.get("/.well-known/jwks.json", summary="The public keys that verify the access tokens (JWK Set)",
            description="The current key and those retired while tokens they signed may still be valid. A verifier "
            "that meets an unknown `kid` fetches it again.")
async def key_set(pool: DatabasePool, settings: Settings, clock: ClockDep, response: Response) -> dict:
    response.headers["Cache-Control"] = "public, max-age=60"
    return jwks(await signing_keys.published(pool, now=clock.now(), kept_for=kept_for(settings)))
