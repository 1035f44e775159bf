"""Who is calling a staff route: a `Principal`, from the request's `Authorization: Bearer ...`.

Two kinds of bearer token are admitted:
- an account's access token, a JWT signed by the staff service for this service (audience = the service's
  name) and checked against the staff service's JWKS (`staff_tokens.TokenVerifier`, one per process, its keys
  cached); its claims carry the account's memberships;
- a machine token `tpk_...`, admitted by its SHA-256 hash from the service's copy of the staff service's
  machine tokens (`staff.token.v1`, see `save_machine_tokens`; the `create-token` command writes the same
  rows for an operator's first token). Its scope, all or one organisation, makes it an admin or an organiser
  of that organisation; read-only ones are refused every changing route.

What a principal may do with which data is each service's own rule (`<service>/authorization.py`), decided
from the memberships here and the service's own data. Unknown, revoked, expired, wrongly signed tokens or
tokens for another service: 401.
"""

import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID, uuid4

import asyncpg
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .contracts.staff import MachineTokenSaved, Membership, Role
from .db import DatabasePool
from .errors import Forbidden
from .messaging.consumer import Received, one_by_one
from .staff_tokens import InvalidAccessToken, TokenVerifier

log = logging.getLogger(__name__)

TOKEN_PREFIX = "tpk_"

# The copy of the machine tokens (v2: with the staff service's token id and the scope). V1 was the
# services' own tokens, read or write for everything.
STAFF_TOKENS_V1 = """
CREATE TABLE staff_token (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT staff_token_pkey PRIMARY KEY,
    name text NOT NULL,
    token_hash text NOT NULL CONSTRAINT staff_token_token_hash_key UNIQUE,
    can_write boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
"""
STAFF_TOKENS_V2 = """
ALTER TABLE staff_token ADD COLUMN token_id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE staff_token ALTER COLUMN token_id DROP DEFAULT;
ALTER TABLE staff_token DROP CONSTRAINT staff_token_pkey;
ALTER TABLE staff_token DROP COLUMN id;
ALTER TABLE staff_token ADD CONSTRAINT staff_token_pkey PRIMARY KEY (token_id);
-- None: the token is for everything (like an admin, for this service's data).
ALTER TABLE staff_token ADD COLUMN organisation_id uuid;
"""
STAFF_TOKENS_V2_DOWN = """
ALTER TABLE staff_token DROP COLUMN organisation_id;
ALTER TABLE staff_token DROP CONSTRAINT staff_token_pkey;
ALTER TABLE staff_token ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT staff_token_pkey PRIMARY KEY;
ALTER TABLE staff_token DROP COLUMN token_id;
"""


class PrincipalKind(StrEnum):
    account = "account"  # a person signed in at the staff service
    machine = "machine"  # a `tpk_` token of a script or an integration


@dataclass(frozen=True)
class Principal:
    actor: str  # what audit entries name: the account id, or "token:<name>"
    name: str  # for people reading the audit trail
    memberships: tuple[Membership, ...]
    can_write: bool
    kind: PrincipalKind

    @property
    def is_admin(self) -> bool:
        return any(m.role is Role.admin for m in self.memberships)

    @property
    def organisations(self) -> frozenset[UUID]:
        """The organisations this principal is an organiser of."""
        return frozenset(m.organisation_id for m in self.memberships
                         if m.role is Role.organiser and m.organisation_id is not None)

    @property
    def contact_persons(self) -> frozenset[UUID]:
        """The contact persons this principal acts as."""
        return frozenset(m.contact_person_id for m in self.memberships
                         if m.role is Role.contact and m.contact_person_id is not None)

    def organises(self, organisation_ids: Iterable[UUID]) -> bool:
        """An organiser of one of these organisations (an event's organisers, say)."""
        return not self.organisations.isdisjoint(organisation_ids)

    def is_contact_among(self, contact_person_ids: Iterable[UUID]) -> bool:
        return not self.contact_persons.isdisjoint(contact_person_ids)


def forbidden(what: str) -> Forbidden:
    """The refusal of a known principal: `what` says what it may not do, e.g. "see this event's registrations"."""
    return Forbidden(f"Your staff access does not allow you to {what}.")


def hash_token(token: str) -> str:
    # Tokens are long random strings: a fast hash suffices (nothing to guess), and a stolen table reveals none.
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


# For the routes' `responses` (the OpenAPI documents list them; the authorization matrix reads them): every
# staff route may answer 401; 403 only a route with a rule that can refuse (a filtered list never does).
STAFF_UNAUTHORIZED: dict[int | str, dict] = {
    401: {"description": "No staff bearer token, or one that is not valid here: an unknown or revoked machine "
                         "token, an access token that expired, is for another service or is not signed by the "
                         "staff service."},
}
STAFF_FORBIDDEN: dict[int | str, dict] = {
    403: {"description": "The staff member's roles (or the machine token's scope) do not allow this, or the "
                         "machine token may only read."},
}
STAFF_REFUSALS = STAFF_UNAUTHORIZED | STAFF_FORBIDDEN

_bearer = HTTPBearer(auto_error=False, description="An access token issued by the staff service for this "
                     "service (JWT), or a machine token `tpk_...`.")


def _unauthorized(message: str, *, invalid: bool = True) -> HTTPException:
    challenge = 'Bearer error="invalid_token"' if invalid else "Bearer"
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": challenge})


async def staff_principal(
    request: Request,
    pool: DatabasePool,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The FastAPI dependency of every staff route: who calls, or 401."""
    if credentials is None:
        raise _unauthorized("A staff bearer token is required.", invalid=False)
    token = credentials.credentials
    if token.startswith(TOKEN_PREFIX):
        return await _machine_principal(pool, token)
    return await _account_principal(request, token)


async def _machine_principal(pool: asyncpg.Pool, token: str) -> Principal:
    row = await pool.fetchrow(
        "SELECT name, can_write, organisation_id FROM staff_token WHERE token_hash = $1 AND revoked_at IS NULL",
        hash_token(token),
    )
    if row is None:
        raise _unauthorized("The machine token is unknown or revoked.")
    scope = (Membership(role=Role.admin) if row["organisation_id"] is None
             else Membership(role=Role.organiser, organisation_id=row["organisation_id"]))
    return Principal(actor=f"token:{row['name']}", name=row["name"], memberships=(scope,),
                     can_write=row["can_write"], kind=PrincipalKind.machine)


async def _account_principal(request: Request, token: str) -> Principal:
    try:
        claims = await token_verifier(request).verify(token)
    except InvalidAccessToken as invalid:
        # Why (the message never holds the token): for the caller and the operator.
        log.info("staff access token refused: %s", invalid)
        raise _unauthorized(f"The access token is not valid here: {invalid}.") from None
    return Principal(actor=str(claims.sub), name=claims.name, memberships=tuple(claims.memberships),
                     can_write=True, kind=PrincipalKind.account)


def token_verifier(request: Request) -> TokenVerifier:
    """The process's verifier (it caches the staff service's keys), made on first use from the settings."""
    verifier = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        settings = request.app.state.runtime.settings
        verifier = TokenVerifier(settings.staff_jwks_endpoint, settings.staff_issuer, settings.service_name)
        request.app.state.token_verifier = verifier
    return verifier


async def staff_writer(principal: Annotated[Principal, Depends(staff_principal)]) -> Principal:
    """The dependency of every changing staff route: a principal that may change things."""
    if not principal.can_write:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This machine token may read but not change anything.")
    return principal


StaffPrincipal = Annotated[Principal, Depends(staff_principal)]
StaffWriter = Annotated[Principal, Depends(staff_writer)]


# The copy of the staff service's machine tokens.

async def save_machine_tokens(conn: asyncpg.Connection, messages: Sequence[Received[MachineTokenSaved]],
                              _: Any) -> None:
    """Handler of `MachineTokenSaved` in every service's handler table: keep the token's latest state. A
    revocation stays whatever order redelivery brings (a revoked token is never admitted again)."""
    for message in one_by_one(messages):
        token = message.payload
        await save_machine_token(conn, token_id=token.token_id, name=token.name, token_hash=token.token_hash,
                                 organisation_id=token.organisation_id, can_write=token.can_write,
                                 created_at=token.created_at, revoked_at=token.revoked_at)


async def save_machine_token(conn: asyncpg.Connection, *, token_id: UUID, name: str, token_hash: str,
                             organisation_id: UUID | None, can_write: bool, created_at: datetime,
                             revoked_at: datetime | None = None) -> None:
    await conn.execute(
        """
        INSERT INTO staff_token (token_id, name, token_hash, organisation_id, can_write, created_at, revoked_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT ON CONSTRAINT staff_token_pkey DO UPDATE
        SET name = EXCLUDED.name, token_hash = EXCLUDED.token_hash, organisation_id = EXCLUDED.organisation_id,
            can_write = EXCLUDED.can_write, revoked_at = COALESCE(staff_token.revoked_at, EXCLUDED.revoked_at)
        """,
        token_id, name, token_hash, organisation_id, can_write, created_at, revoked_at,
    )


async def create_token(conn: asyncpg.Connection, name: str, *, can_write: bool = True,
                       organisation_id: UUID | None = None) -> str:
    """An operator's machine token (the bootstrap before the staff service manages them): written as the copy
    of a staff service token would be; the token is returned once, only its hash is kept."""
    token = new_token()
    await save_machine_token(conn, token_id=uuid4(), name=name, token_hash=hash_token(token),
                             organisation_id=organisation_id, can_write=can_write, created_at=datetime.now(UTC))
    return token


async def revoke_token(conn: asyncpg.Connection, name: str) -> int:
    result = await conn.execute(
        "UPDATE staff_token SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL", name
    )
    return int(result.split()[-1])
