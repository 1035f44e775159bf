"""Accounts' TOTP secrets in PostgreSQL: one per account, enrolling until a right code confirms it. The step
of the last accepted code is moved forward in the same statement that checks it, so that two requests with
one code at the same moment cannot both pass."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Factor:
    secret: str
    confirmed: bool
    last_used_step: int | None


async def get(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID) -> Factor | None:
    row = await db.fetchrow("SELECT secret, confirmed_at, last_used_step FROM totp_factor WHERE account_id = $1",
                            account_id)
    return Factor(row["secret"], row["confirmed_at"] is not None, row["last_used_step"]) if row else None


async def confirmed(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID) -> bool:
    return bool(await db.fetchval("SELECT confirmed_at IS NOT NULL FROM totp_factor WHERE account_id = $1",
                                  account_id))


async def enrolling_secret(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID, new_secret: str, *,
                           now: datetime) -> str | None:
    """The secret being enrolled (`new_secret` if there was none); None if the account has a confirmed one."""
    return await db.fetchval(
        """INSERT INTO totp_factor (account_id, secret, created_at) VALUES ($1, $2, $3)
           ON CONFLICT (account_id) DO UPDATE SET secret = totp_factor.secret
           WHERE totp_factor.confirmed_at IS NULL RETURNING secret""", account_id, new_secret, now)


async def accept_step(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID, step: int, *, now: datetime) -> bool:
    """Record `step` as the last used one (and confirm an enrolling secret), if it is later than the last; False
    if another request used it (or a later one) meanwhile."""
    return await db.fetchval(
        """UPDATE totp_factor SET last_used_step = $2, confirmed_at = coalesce(confirmed_at, $3)
           WHERE account_id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING true""",
        account_id, step, now) or False


async def remove(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID) -> bool:
    """Delete the account's factor (confirmed or being enrolled); whether there was one."""
    return await db.fetchval("DELETE FROM totp_factor WHERE account_id = $1 RETURNING true", account_id) or False
