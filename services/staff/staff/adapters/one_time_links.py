"""One-time links that let a person set a password: the invitation of a new account (valid for days)
and the password reset (valid for an hour).

The link carries a random token (256 bits); the database keeps only its SHA-256 hash, the purpose, the
account and the expiry, so a copy of the table opens nothing. A link is used up in the same transaction
as the password it sets (a conditional UPDATE: of two clicks at once one wins), and a new link of the
same purpose for the same account replaces the earlier ones, so only the latest email works."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

import asyncpg

from treffpunkt_shared.staff_access import hash_token


class Purpose(StrEnum):
    invitation = "invitation"
    password_reset = "password_reset"


@dataclass(frozen=True)
class IssuedLink:
    token: str
    expires_at: datetime


async def issue(conn: asyncpg.Connection, account_id: UUID, purpose: Purpose, *, now: datetime,
                valid_for: timedelta) -> IssuedLink:
    token = secrets.token_urlsafe(32)
    expires_at = now + valid_for
    async with conn.transaction():
        await conn.execute("DELETE FROM one_time_link WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
                           account_id, purpose.value)
        await conn.execute(
            "INSERT INTO one_time_link (token_hash, account_id, purpose, created_at, expires_at) "
            "VALUES ($1, $2, $3, $4, $5)", hash_token(token), account_id, purpose.value, now, expires_at)
    return IssuedLink(token, expires_at)


# A link is valid while unused, unexpired, and its account active (a deactivated account sets no password).
_VALID = """l.token_hash = $1 AND l.purpose = $2 AND l.used_at IS NULL AND l.expires_at > $3
            AND a.id = l.account_id AND a.active"""


async def holder(db: asyncpg.Connection | asyncpg.Pool, token: str, purpose: Purpose, *,
                 now: datetime) -> UUID | None:
    """The account whose valid link `token` is; None for any other token."""
    return await db.fetchval(f"SELECT l.account_id FROM one_time_link l, staff_account a WHERE {_VALID}",
                             hash_token(token), purpose.value, now)


async def use(conn: asyncpg.Connection, token: str, purpose: Purpose, *, now: datetime) -> UUID | None:
    """Use the link up (in the caller's transaction); its account, or None if it is not (or no longer) valid."""
    return await conn.fetchval(
        f"UPDATE one_time_link l SET used_at = $3 FROM staff_account a WHERE {_VALID} RETURNING l.account_id",
        hash_token(token), purpose.value, now)
