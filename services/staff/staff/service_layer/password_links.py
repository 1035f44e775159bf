"""Setting a password through an emailed one-time link: the invitation of an account (an admin sends it) and
the password reset (anyone may ask for one for an address; only its owner gets the email).

Asking for a reset always gets the same answer, whether the address has an account or not, and the email
goes out after the answer (see `entrypoints.password_pages`), so the time does not tell either. Resets are
limited per address (more requests send nothing more) and per client address (more are refused)."""

import asyncio
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from treffpunkt_shared.errors import Conflict, NotFound
from treffpunkt_shared.local_time import BERLIN
from treffpunkt_shared.rate_limits import Limit, count

from ..adapters import accounts, audit, one_time_links, sessions
from ..adapters.audit import Action, Actor
from ..adapters.mail import StaffEmail, send
from ..adapters.one_time_links import Purpose
from ..adapters.passwords import hash_password
from ..domain.model import Account, normalise_email
from ..settings import StaffSettings
from ..texts import texts
from .sign_in import TooManyAttempts

# The page each link opens, by purpose.
PATHS = {Purpose.invitation: "/invitation", Purpose.password_reset: "/password-reset/new"}


def _email(account: Account, settings: StaffSettings, purpose: Purpose, token: str, expires_at: datetime) -> StaffEmail:
    t = texts(account.language)
    kind = "invitation" if purpose is Purpose.invitation else "reset"
    fields = {"name": account.display_name, "email": account.email, "sender": settings.sender_name,
              "link": f"{settings.base_url}{PATHS[purpose]}?token={token}&lang={account.language}",
              "sign_in": f"{settings.base_url}/sign-in", "expires": expires_at.astimezone(BERLIN).strftime(t["time_format"])}
    return StaffEmail(account.email, t[f"{kind}_subject"], t[f"{kind}_body"].format(**fields))


async def invite(pool: asyncpg.Pool, settings: StaffSettings, account_id: UUID, actor: Actor, *,
                 now: datetime) -> datetime:
    """Email the account a link to set its password (replacing an earlier invitation's); when the link expires.
    NotFound for no such account, Conflict for a deactivated one, MailNotSent if the SMTP server does not take the email (then nothing is
    recorded and the admin may try again)."""
    account = await accounts.get(pool, account_id)
    if account is None:
        raise NotFound("account", account_id)
    if not account.active:
        raise Conflict("The account is deactivated: activate it before inviting it (its link would not work).")
    async with pool.acquire() as conn, conn.transaction():
        link = await one_time_links.issue(conn, account.id, Purpose.invitation, now=now,
                                          valid_for=timedelta(hours=settings.invitation_valid_hours))
        # Sent inside the transaction: if the server refuses, the link is not kept and no entry claims it was sent.
        await send(_email(account, settings, Purpose.invitation, link.token, link.expires_at), settings, now)
        await audit.record(conn, actor, Action.invitation_sent, account.id, now=now)
    return link.expires_at


async def admit_reset_request(pool: asyncpg.Pool, settings: StaffSettings, *, client: str, now: datetime) -> None:
    """Count a reset request from `client`; TooManyAttempts once it has had its allowance."""
    refusal = await count(pool, [Limit("reset_client", client, settings.password_resets_per_client)],
                          window_seconds=settings.sign_in_window_seconds, now=now)
    if refusal is not None:
        raise TooManyAttempts(refusal.retry_after_seconds)


async def send_reset(pool: asyncpg.Pool, settings: StaffSettings, email: str, *, now: datetime) -> None:
    """Email a reset link to the active account of `email`, if there is one and its allowance is not used up."""
    refusal = await count(pool, [Limit("reset_address", normalise_email(email), settings.password_resets_per_address)],
                          window_seconds=settings.sign_in_window_seconds, now=now)
    account = await accounts.find_by_email(pool, email)
    if refusal is not None or account is None or not account.active:
        return
    async with pool.acquire() as conn, conn.transaction():
        link = await one_time_links.issue(conn, account.id, Purpose.password_reset, now=now,
                                          valid_for=timedelta(minutes=settings.password_reset_valid_minutes))
        await send(_email(account, settings, Purpose.password_reset, link.token, link.expires_at), settings, now)


async def link_holder(pool: asyncpg.Pool, token: str, purpose: Purpose, *, now: datetime) -> Account | None:
    """The account a valid link is for (to greet it on the page); None for a link that is not valid."""
    account_id = await one_time_links.holder(pool, token, purpose, now=now)
    return await accounts.get(pool, account_id) if account_id is not None else None


async def set_password(pool: asyncpg.Pool, token: str, purpose: Purpose, password: str, *, now: datetime) -> UUID | None:
    """Use the link up and set its account's password, ending all its sessions (whoever had signed in with the
    old password is signed out); the account's id, or None if the link is not (or no longer) valid."""
    # argon2 takes tens of milliseconds of CPU on purpose: off the event loop, and before the transaction.
    password_hash = await asyncio.to_thread(hash_password, password)
    async with pool.acquire() as conn, conn.transaction():
        account_id = await one_time_links.use(conn, token, purpose, now=now)
        if account_id is None:
            return None
        await accounts.set_password_hash(conn, account_id, password_hash)
        await sessions.end_all(conn, account_id)
        action = Action.password_set if purpose is Purpose.invitation else Action.password_reset
        await audit.record(conn, Actor.account(account_id), action, account_id, now=now)
    return account_id
