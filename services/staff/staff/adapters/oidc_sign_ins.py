"""OpenID Connect sign-ins under way, in PostgreSQL: what the callback needs to finish one (the nonce and the
PKCE verifier) under its `state`, with the SHA-256 of the browser's binding cookie. A row is taken (deleted)
by the first callback that names its state, whatever comes of it: a state works once."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    nonce: str
    code_verifier: str
    language: str


@dataclass(frozen=True)
class TakenSignIn:
    pending: PendingSignIn
    started_at: datetime
    same_browser: bool  # the callback came with the binding cookie of the browser that started it


def _hash(browser_token: str) -> str:
    return hashlib.sha256(browser_token.encode()).hexdigest()


async def save(db: asyncpg.Pool | asyncpg.Connection, pending: PendingSignIn, browser_token: str, *,
               now: datetime) -> None:
    await db.execute(
        "INSERT INTO oidc_sign_in (state, browser_hash, nonce, code_verifier, language, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        pending.state, _hash(browser_token), pending.nonce, pending.code_verifier, pending.language, now)


async def take(db: asyncpg.Pool | asyncpg.Connection, state: str, browser_token: str) -> TakenSignIn | None:
    """The sign-in of `state` (None: unknown, or taken before), now gone from the table."""
    row = await db.fetchrow("DELETE FROM oidc_sign_in WHERE state = $1 "
                            "RETURNING browser_hash, nonce, code_verifier, language, created_at", state)
    if row is None:
        return None
    return TakenSignIn(PendingSignIn(state, row["nonce"], row["code_verifier"], row["language"]), row["created_at"],
                       hmac.compare_digest(row["browser_hash"], _hash(browser_token)))


async def purge_expired(db: asyncpg.Pool | asyncpg.Connection, *, now: datetime, max_age: timedelta) -> None:
    """Sign-ins whose person never came back from the provider."""
    await db.execute("DELETE FROM oidc_sign_in WHERE created_at <= $1", now - max_age)
