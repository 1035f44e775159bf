"""The keys that sign access tokens (Ed25519 private JWKs in the staff database). The newest key that is
not retired signs; a retired key stays published while tokens it signed may still be valid, and is
deleted after that."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
from joserfc.jwk import OKPKey

from treffpunkt_shared.staff_tokens import key_from_json, key_to_json

# Replicas rotate one at a time (a transaction-level advisory lock on this key).
ROTATION_LOCK_KEY = 0x7374_6166_666B


@dataclass(frozen=True)
class SigningKey:
    key: OKPKey
    created_at: datetime

    @property
    def kid(self) -> str:
        return self.key.kid


async def current(db: asyncpg.Pool | asyncpg.Connection) -> SigningKey | None:
    row = await db.fetchrow("SELECT private_jwk, created_at FROM signing_key WHERE retired_at IS NULL "
                            "ORDER BY created_at DESC LIMIT 1")
    return SigningKey(key_from_json(row["private_jwk"]), row["created_at"]) if row else None


async def published(db: asyncpg.Pool | asyncpg.Connection, *, now: datetime, kept_for: timedelta) -> list[OKPKey]:
    """The current key and those retired less than `kept_for` ago, newest first."""
    rows = await db.fetch("SELECT private_jwk FROM signing_key WHERE retired_at IS NULL OR retired_at > $1 "
                          "ORDER BY created_at DESC", now - kept_for)
    return [key_from_json(row["private_jwk"]) for row in rows]


async def replace(conn: asyncpg.Connection, key: OKPKey, *, now: datetime, kept_for: timedelta) -> None:
    """Make `key` the signing key (in the caller's transaction): the others retire now, and those retired
    more than `kept_for` ago are deleted (no token they signed is valid any more)."""
    await conn.execute("UPDATE signing_key SET retired_at = $1 WHERE retired_at IS NULL", now)
    await conn.execute("INSERT INTO signing_key (kid, private_jwk, created_at) VALUES ($1, $2, $3)",
                       key.kid, key_to_json(key), now)
    await conn.execute("DELETE FROM signing_key WHERE retired_at <= $1", now - kept_for)


async def lock_rotation(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock($1)", ROTATION_LOCK_KEY)
