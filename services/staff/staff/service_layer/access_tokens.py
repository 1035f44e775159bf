"""Access tokens for the other services' staff APIs, signed with the current key, and the keys' rotation:
at once (`rotate-keys`), or once the current key is `signing_key_rotation_days` old (checked when a token
is issued and hourly)."""

from datetime import datetime, timedelta

import asyncpg

from treffpunkt_shared.staff_tokens import LEEWAY_SECONDS, issue, new_signing_key

from ..adapters import audit, signing_keys
from ..adapters.audit import Action, Actor
from ..adapters.signing_keys import SigningKey
from ..domain.model import Account
from ..settings import StaffSettings

AUTOMATIC_ROTATION = Actor("key-rotation")


def kept_for(settings: StaffSettings) -> timedelta:
    """How long a retired key stays published: as long as a token it signed may still be accepted."""
    return timedelta(seconds=settings.access_token_lifetime_seconds + LEEWAY_SECONDS)


async def rotate(conn: asyncpg.Connection, settings: StaffSettings, *, actor: Actor, now: datetime,
                 only_if_older_than: timedelta | None = None) -> SigningKey:
    """A new signing key (the old one retires), or with `only_if_older_than` the current key if it is younger."""
    async with conn.transaction():
        await signing_keys.lock_rotation(conn)
        found = await signing_keys.current(conn)
        if found is not None and only_if_older_than is not None and now - found.created_at < only_if_older_than:
            return found
        key = new_signing_key()
        await signing_keys.replace(conn, key, now=now, kept_for=kept_for(settings))
        await audit.record(conn, actor, Action.keys_rotated, key.kid, now=now)
        return SigningKey(key, now)


async def rotate_when_due(pool: asyncpg.Pool, settings: StaffSettings, *, now: datetime) -> SigningKey:
    """The key to sign with: the current one, or a new one when there is none or it is due for rotation."""
    found = await signing_keys.current(pool)
    age = timedelta(days=settings.signing_key_rotation_days)
    if found is not None and now - found.created_at < age:
        return found
    async with pool.acquire() as conn:
        return await rotate(conn, settings, actor=AUTOMATIC_ROTATION, now=now, only_if_older_than=age)


async def access_token(pool: asyncpg.Pool, settings: StaffSettings, account: Account, audience: str, *,
                       now: datetime) -> str:
    key = await rotate_when_due(pool, settings, now=now)
    return issue(key.key, issuer=settings.issuer, audience=audience, claims_sub=account.id, name=account.display_name,
                 memberships=account.memberships, lifetime_seconds=settings.access_token_lifetime_seconds,
                 now=now.timestamp())
