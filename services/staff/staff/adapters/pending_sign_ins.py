"""Sign-ins halfway: the password was right and the TOTP code is still to come. The browser holds a random
token in a cookie for the code's page; the table keeps its SHA-256, the account and a short expiry. No
session exists before the code is right."""

import secrets
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from treffpunkt_shared.staff_access import hash_token

LIFETIME = timedelta(minutes=5)


async def start(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID, *, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    await db.execute("DELETE FROM pending_sign_in WHERE expires_at <= $1", now)
    await db.execute("INSERT INTO pending_sign_in (token_hash, account_id, expires_at) VALUES ($1, $2, $3)",
                     hash_token(token), account_id, now + LIFETIME)
    return token


async def holder(db: asyncpg.Pool | asyncpg.Connection, token: str, *, now: datetime) -> UUID | None:
    """The account of the live pending sign-in `token`, if the account is still active."""
    return await db.fetchval(
        """SELECT p.account_id FROM pending_sign_in p JOIN staff_account a ON a.id = p.account_id
           WHERE p.token_hash = $1 AND p.expires_at > $2 AND a.active""", hash_token(token), now)


async def end(db: asyncpg.Pool | asyncpg.Connection, token: str) -> None:
    await db.execute("DELETE FROM pending_sign_in WHERE token_hash = $1", hash_token(token))
