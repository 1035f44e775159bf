"""Password sign-in: the address and password checked against the account's argon2id hash, failed
attempts limited per account and per client address (counted in PostgreSQL, see
`treffpunkt_shared.rate_limits`), every attempt audited. The refusal never says whether the address has
an account: an unknown address, a deactivated account, an account without a password and a wrong
password get the same answer after the same work."""

import asyncio
from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.rate_limits import Limit, count, used_up

from ..adapters import accounts, audit, passwords, sessions
from ..adapters.audit import Action, Actor
from ..adapters.sessions import Session
from ..domain.model import Account, normalise_email
from ..metrics import SIGN_INS
from ..settings import StaffSettings


class SignInRefused(Exception):
    """The address and password do not sign anyone in (which of the two is wrong is not said)."""


class TooManyAttempts(Exception):
    """Too many failed sign-ins for the account or from the address; try again after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


def _limits(settings: StaffSettings, email: str, client: str) -> list[Limit]:
    # The account's limit is keyed by the address, so an address without an account is limited alike.
    return [Limit("sign_in_account", normalise_email(email), settings.sign_in_failures_per_account),
            Limit("sign_in_client", client, settings.sign_in_failures_per_client)]


async def check_password(pool: asyncpg.Pool, settings: StaffSettings, *, email: str, password: str, client: str,
                         now: datetime) -> Account:
    """The account that `email` and `password` sign in, or SignInRefused; TooManyAttempts before any check
    once the failures of the account or the client address have reached their limit."""
    limits = _limits(settings, email, client)
    window = settings.sign_in_window_seconds
    refusal = await used_up(pool, limits, window_seconds=window, now=now)
    if refusal is not None:
        SIGN_INS.labels("limited").inc()
        raise TooManyAttempts(refusal.retry_after_seconds)
    account = await accounts.find_by_email(pool, email)
    stored = await accounts.password_hash(pool, account.id) if account is not None and account.active else None
    # argon2 takes tens of milliseconds of CPU on purpose: off the event loop.
    if not await asyncio.to_thread(passwords.verify, stored, password):
        await count(pool, limits, window_seconds=window, now=now)
        target = account.id if account is not None else audit.hashed_email(normalise_email(email))
        await audit.record(pool, audit.ANONYMOUS, Action.sign_in_failed, target, now=now)
        SIGN_INS.labels("failed").inc()
        raise SignInRefused
    assert account is not None and stored is not None
    if passwords.needs_rehash(stored):  # the hasher's parameters changed since: keep the hash up to date
        await accounts.set_password_hash(pool, account.id, await asyncio.to_thread(passwords.hash_password, password))
    return account


async def start_session(pool: asyncpg.Pool, account_id: UUID, *, now: datetime,
                        detail: str | None = None) -> tuple[str, Session]:
    """Sign the account in: a new session (the cookie's token and the session), audited (`detail`: how, e.g.
    "oidc" for a sign-in through the identity provider)."""
    async with pool.acquire() as conn, conn.transaction():
        started = await sessions.start(conn, account_id, now=now)
        await audit.record(conn, Actor.account(account_id), Action.signed_in, account_id, now=now, detail=detail)
    SIGN_INS.labels("signed_in").inc()
    return started


async def sign_out(pool: asyncpg.Pool, token: str, *, now: datetime) -> None:
    async with pool.acquire() as conn, conn.transaction():
        account_id = await sessions.end(conn, token)
        if account_id is not None:
            await audit.record(conn, Actor.account(account_id), Action.signed_out, account_id, now=now)
