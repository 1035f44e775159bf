"""The TOTP second factor: enrolment (a secret shown once, confirmed with a right code) and the code at
sign-in. Wrong codes are limited per account (the allowance of `totp_failures_per_account` per window);
every confirmation, use and failure is audited."""

from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.errors import NotFound
from treffpunkt_shared.rate_limits import Limit, count, used_up

from ..adapters import accounts, audit, totp_factors
from ..adapters.audit import Action, Actor
from ..domain import totp
from ..domain.model import Account
from ..settings import StaffSettings
from .sign_in import TooManyAttempts

ISSUER = "Treffpunkt"


class WrongCode(Exception):
    """The code is not right now, or it was used already."""


async def enrolment_secret(pool: asyncpg.Pool, account_id: UUID, *, now: datetime) -> str | None:
    """The secret to show for enrolling (the same until it is confirmed); None once the account has a factor."""
    return await totp_factors.enrolling_secret(pool, account_id, totp.new_secret(), now=now)


def enrolment_uri(account: Account, secret: str) -> str:
    return totp.provisioning_uri(secret, account_email=account.email, issuer=ISSUER)


async def requires_enrolment(pool: asyncpg.Pool, settings: StaffSettings, account: Account) -> bool:
    """An admin without a confirmed factor where the operator requires one for admins."""
    return settings.require_totp_for_admins and account.is_admin and not await totp_factors.confirmed(pool, account.id)


async def check_code(pool: asyncpg.Pool, settings: StaffSettings, account_id: UUID, code: str, *,
                     now: datetime) -> None:
    """Accept `code` for the account's factor (confirming one being enrolled): WrongCode if it is not right or
    used already, TooManyAttempts before any check once the account's wrong codes have reached their limit."""
    limits = [Limit("totp_account", str(account_id), settings.totp_failures_per_account)]
    window = settings.sign_in_window_seconds
    refusal = await used_up(pool, limits, window_seconds=window, now=now)
    if refusal is not None:
        raise TooManyAttempts(refusal.retry_after_seconds)
    factor = await totp_factors.get(pool, account_id)
    step = (totp.accepted_step(factor.secret, code, now, last_used_step=factor.last_used_step)
            if factor is not None else None)
    actor = Actor.account(account_id)
    if step is None or not await totp_factors.accept_step(pool, account_id, step, now=now):
        await count(pool, limits, window_seconds=window, now=now)
        await audit.record(pool, actor, Action.totp_failed, account_id, now=now)
        raise WrongCode
    assert factor is not None
    await audit.record(pool, actor, Action.totp_used if factor.confirmed else Action.totp_enrolled, account_id, now=now)


async def remove(pool: asyncpg.Pool, account_id: UUID, actor: Actor, *, now: datetime) -> None:
    """Take the account's factor away (its phone is lost): the next sign-in asks for the password only, and the
    account may set a new factor up. Audited when there was one; NotFound for no such account."""
    if await accounts.get(pool, account_id) is None:
        raise NotFound("account", account_id)
    async with pool.acquire() as conn, conn.transaction():
        if await totp_factors.remove(conn, account_id):
            await audit.record(conn, actor, Action.totp_removed, account_id, now=now)
