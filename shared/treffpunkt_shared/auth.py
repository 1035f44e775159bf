"""Staff access with bearer tokens, stored as hashes.

Tokens are long random strings, so a fast hash (SHA-256) suffices: there is nothing to guess by
brute force, and a stolen table reveals no usable token. `create_token` prints a token once.
"""

import hashlib
import secrets
from enum import StrEnum
from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .db import DatabasePool

TOKEN_PREFIX = "tpk_"

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


class Access(StrEnum):
    read = "read"
    write = "write"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def create_token(conn: asyncpg.Connection, name: str, *, can_write: bool = True) -> str:
    token = new_token()
    await conn.execute(
        "INSERT INTO staff_token (name, token_hash, can_write) VALUES ($1, $2, $3)",
        name, hash_token(token), can_write,
    )
    return token


async def revoke_token(conn: asyncpg.Connection, name: str) -> int:
    result = await conn.execute(
        "UPDATE staff_token SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL", name
    )
    return int(result.split()[-1])


# For a router's `responses`: what `staff` answers, in the OpenAPI document.
STAFF_REFUSALS: dict[int | str, dict] = {
    401: {"description": "No staff bearer token, or an unknown or revoked one."},
    403: {"description": "The token may read but not change anything."},
}

_bearer = HTTPBearer(auto_error=False, description="A staff token (create one with `<service> create-token NAME`).")


def staff(access: Access):
    """A FastAPI dependency admitting staff tokens with at least `access`; yields the token's name."""

    async def check(
        pool: DatabasePool,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> str:
        if credentials is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "A staff bearer token is required.",
                                headers={"WWW-Authenticate": "Bearer"})
        row = await pool.fetchrow(
            "SELECT name, can_write FROM staff_token WHERE token_hash = $1 AND revoked_at IS NULL",
            hash_token(credentials.credentials),
        )
        if row is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "The bearer token is unknown or revoked.",
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if access is Access.write and not row["can_write"]:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "This token may read but not change anything.")
        return row["name"]

    return check
