"""Creating and changing staff accounts; each change leaves an audit entry in the same transaction."""

import secrets
from datetime import datetime
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from treffpunkt_shared.contracts.staff import Membership, Role

from ..adapters import accounts, audit
from ..adapters.audit import Action, Actor
from ..adapters.passwords import hash_password


def new_password() -> str:
    """A password for an account that someone made (the command line, `make dev`), shown once."""
    return secrets.token_urlsafe(15)


async def ensure_account(conn: asyncpg.Connection, *, email: str, display_name: str, language: str,
                         memberships: list[Membership], password: str | None, actor: Actor, now: datetime) -> UUID:
    """The account of `email`, created if missing, with `memberships` added and, if given, `password` set."""
    async with conn.transaction():
        account_id = await accounts.insert(conn, email=email, display_name=display_name, language=language)
        if account_id is not None:
            await audit.record(conn, actor, Action.account_created, account_id, now=now)
        else:
            existing = await accounts.find_by_email(conn, email)
            assert existing is not None  # the insert found it
            account_id = existing.id
            await audit.record(conn, actor, Action.account_changed, account_id, now=now)
        await accounts.add_memberships(conn, account_id, memberships)
        if password is not None:
            await accounts.set_password_hash(conn, account_id, hash_password(password))
    return account_id


class ImportedAccount(BaseModel):
    """An account of a file for `import-accounts` (`var/dev-accounts.json` of `make dev` is one)."""

    model_config = ConfigDict(extra="ignore")

    email: EmailStr
    password: str | None = Field(None, min_length=8, description="Set as the account's password; none: left as it is.")
    roles: list[Membership] = Field(default_factory=list, description="Memberships to add (none are removed).")
    name: str | None = Field(None, description="Display name of a new account; default: the address's part before @.")


class AccountsFile(BaseModel):
    accounts: list[ImportedAccount]


async def import_accounts(conn: asyncpg.Connection, accounts_file: AccountsFile, *, now: datetime) -> int:
    """Create the file's accounts that are missing, add their memberships and set their passwords; how many."""
    for entry in accounts_file.accounts:
        await ensure_account(conn, email=entry.email, display_name=entry.name or entry.email.split("@", 1)[0],
                             language="de", memberships=entry.roles, password=entry.password,
                             actor=audit.COMMAND_LINE, now=now)
    return len(accounts_file.accounts)


async def create_admin(conn: asyncpg.Connection, email: str, display_name: str, *, now: datetime) -> str:
    """An admin account for `email` (an existing account becomes admin) with a new password: the password."""
    password = new_password()
    await ensure_account(conn, email=email, display_name=display_name, language="de",
                         memberships=[Membership(role=Role.admin)], password=password, actor=audit.COMMAND_LINE,
                         now=now)
    return password
