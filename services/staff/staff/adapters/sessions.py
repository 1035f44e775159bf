"""Sign-in sessions: a row per signed-in browser, found by the SHA-256 of the cookie's random token (the
table holds nothing that could be sent back as a cookie). Each row carries its CSRF token (the
synchronizer token of its forms and calls). A session ends at sign-out (the row is deleted), after
`session_idle_minutes` without a request, or `session_absolute_hours` after the sign-in."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Session:
    account_id: UUID
    csrf_token: str
    created_at: datetime


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID, *, now: datetime) -> tuple[str, Session]:
    """A new session: the cookie's token (not stored) and the session."""
    token = secrets.token_urlsafe(32)
    session = Session(account_id, secrets.token_urlsafe(32), now)
    await db.execute("INSERT INTO sign_in_session (token_hash, account_id, csrf_token, created_at, last_seen_at) "
                     "VALUES ($1, $2, $3, $4, $4)", _hash(token), account_id, session.csrf_token, now)
    return token, session


async def resume(db: asyncpg.Pool | asyncpg.Connection, token: str, timeouts: Timeouts, *, now: datetime) -> Session | None:
    """The live session of `token` (its idle time starts again), or None: unknown, ended, or its account
    deactivated. An expired row is deleted on the way."""
    row = await db.fetchrow(
        """WITH found AS (
               SELECT s.token_hash, s.account_id, s.csrf_token, s.created_at,
                      s.last_seen_at > $2::timestamptz - $3::interval AND s.created_at > $2::timestamptz - $4::interval
                      AND a.active AS live
               FROM sign_in_session s JOIN staff_account a ON a.id = s.account_id WHERE s.token_hash = $1
           ), touched AS (
               UPDATE sign_in_session SET last_seen_at = $2 FROM found
               WHERE sign_in_session.token_hash = found.token_hash AND found.live RETURNING 1
           ), ended AS (
               DELETE FROM sign_in_session USING found
               WHERE sign_in_session.token_hash = found.token_hash AND NOT found.live RETURNING 1
           )
           SELECT account_id, csrf_token, created_at, live FROM found""",
        _hash(token), now, timeouts.idle, timeouts.absolute)
    if row is None or not row["live"]:
        return None
    return Session(row["account_id"], row["csrf_token"], row["created_at"])


async def end(db: asyncpg.Pool | asyncpg.Connection, token: str) -> UUID | None:
    """Delete the session of `token`; its account's id, if there was one."""
    return await db.fetchval("DELETE FROM sign_in_session WHERE token_hash = $1 RETURNING account_id", _hash(token))


async def end_all(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID) -> None:
    await db.execute("DELETE FROM sign_in_session WHERE account_id = $1", account_id)


async def purge_expired(db: asyncpg.Pool | asyncpg.Connection, timeouts: Timeouts, *, now: datetime) -> None:
    await db.execute("DELETE FROM sign_in_session WHERE last_seen_at <= $1 OR created_at <= $2",
                     now - timeouts.idle, now - timeouts.absolute)
