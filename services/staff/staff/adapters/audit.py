"""The audit trail of the staff service: who (an account's id, or a token's name) did what to what, when.
No passwords and no addresses in clear: a failed sign-in for an address without an account names a
hash of the address."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import asyncpg


class Action(StrEnum):
    signed_in = "signed_in"
    sign_in_failed = "sign_in_failed"
    signed_out = "signed_out"
    account_created = "account_created"
    account_changed = "account_changed"
    account_deactivated = "account_deactivated"
    token_created = "token_created"
    token_revoked = "token_revoked"
    keys_rotated = "keys_rotated"
    invitation_sent = "invitation_sent"
    password_set = "password_set"  # through an invitation's link
    password_reset = "password_reset"  # through a password reset's link
    totp_enrolled = "totp_enrolled"
    totp_used = "totp_used"
    totp_failed = "totp_failed"
    totp_removed = "totp_removed"  # by an admin, for an account that lost its authenticator


@dataclass(frozen=True)
class Actor:
    """An account (its id also names it), or something else: the command line, someone not signed in."""

    name: str
    account_id: UUID | None = None

    @classmethod
    def account(cls, account_id: UUID) -> "Actor":
        return cls(str(account_id), account_id)


COMMAND_LINE = Actor("command-line")
ANONYMOUS = Actor("anonymous")


def hashed_email(email: str) -> str:
    """What an audit entry names for an address that has no account: it tells which attempts were for the
    same address without keeping the address."""
    return "email-sha256:" + hashlib.sha256(email.encode()).hexdigest()


async def record(db: asyncpg.Pool | asyncpg.Connection, actor: Actor, action: Action, target_id: UUID | str | None,
                 *, now: datetime, detail: str | None = None) -> None:
    """`detail`: how or why, in a few words (e.g. "oidc", "oidc: audience"), never personal data."""
    await db.execute(
        "INSERT INTO audit_entry (occurred_at, actor, actor_account_id, action, target_id, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        now, actor.name, actor.account_id, action.value, None if target_id is None else str(target_id), detail)


async def entries(db: asyncpg.Pool | asyncpg.Connection, *, account_id: UUID | None = None,
                  limit: int = 200) -> list[asyncpg.Record]:
    """The newest entries first; with `account_id`, those the account did or that were done to it."""
    return await db.fetch(
        """SELECT id, occurred_at, actor, actor_account_id, action, target_id, detail FROM audit_entry
           WHERE $1::uuid IS NULL OR actor_account_id = $1 OR target_id = $1::text
           ORDER BY id DESC LIMIT $2""", account_id, limit)
