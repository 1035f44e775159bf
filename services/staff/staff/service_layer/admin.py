"""What admins do: accounts and their memberships, machine tokens. Each change and its audit entry (and
for a token its `MachineTokenSaved` in the outbox) in one transaction."""

from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.staff import MachineTokenSaved
from treffpunkt_shared.errors import Conflict, InvalidField, NotFound, require_found
from treffpunkt_shared.messaging.outbox import enqueue

from ..adapters import accounts, audit, machine_tokens, sessions
from ..adapters.audit import Action, Actor
from ..domain.commands import CreateAccount, CreateMachineToken, UpdateAccount
from ..domain.model import Account
from ..settings import StaffSettings


async def create_account(pool: asyncpg.Pool, command: CreateAccount, *, actor: Actor, now: datetime) -> Account:
    async with pool.acquire() as conn, conn.transaction():
        account_id = await accounts.insert(conn, email=command.email, display_name=command.display_name,
                                           language=command.language)
        if account_id is None:
            raise Conflict("There is an account with this email address already.")
        await accounts.add_memberships(conn, account_id, command.memberships)
        await audit.record(conn, actor, Action.account_created, account_id, now=now)
        return require_found(await accounts.get(conn, account_id), "account", account_id)


async def update_account(pool: asyncpg.Pool, account_id: UUID, command: UpdateAccount, *, actor: Actor,
                         now: datetime) -> Account:
    """Change what the command gives. Deactivating ends the account's sessions. Refused (409) when it would
    leave no active admin: someone must be able to manage the accounts."""
    async with pool.acquire() as conn, conn.transaction():
        before = require_found(await accounts.get(conn, account_id), "account", account_id)
        changes = command.model_dump(exclude_unset=True, exclude={"memberships"})
        for name, value in changes.items():
            if value is None:
                raise InvalidField(name, "Leave the field out to keep it; null is not a value here.")
        await accounts.update(conn, account_id, **changes)
        if command.memberships is not None:
            await accounts.replace_memberships(conn, account_id, command.memberships)
        after = require_found(await accounts.get(conn, account_id), "account", account_id)
        if not await conn.fetchval(
                "SELECT EXISTS (SELECT FROM staff_account a JOIN staff_membership m ON m.account_id = a.id "
                "WHERE a.active AND m.role = 'admin')"):
            raise Conflict("This change would leave no active admin.")
        deactivated = before.active and not after.active
        if deactivated:
            await sessions.end_all(conn, account_id)
        await audit.record(conn, actor, Action.account_deactivated if deactivated else Action.account_changed,
                           account_id, now=now)
        return after


async def create_machine_token(pool: asyncpg.Pool, command: CreateMachineToken, *, actor: Actor,
                               now: datetime) -> tuple[str, MachineTokenSaved]:
    """The token (shown once) and its state, which the other services learn from staff.token.v1."""
    assert actor.account_id is not None
    async with pool.acquire() as conn, conn.transaction():
        token, saved = await machine_tokens.insert(conn, name=command.name, organisation_id=command.organisation_id,
                                                   can_write=command.can_write, created_by=actor.account_id, now=now)
        await enqueue(conn, saved, producer=StaffSettings.service_name, correlation_id=str(saved.token_id))
        await audit.record(conn, actor, Action.token_created, saved.token_id, now=now)
    return token, saved


async def revoke_machine_token(pool: asyncpg.Pool, token_id: UUID, *, actor: Actor, now: datetime) -> MachineTokenSaved:
    async with pool.acquire() as conn, conn.transaction():
        saved = await machine_tokens.revoke(conn, token_id, now=now)
        if saved is None:
            raise NotFound("machine token", token_id)
        await enqueue(conn, saved, producer=StaffSettings.service_name, correlation_id=str(saved.token_id))
        await audit.record(conn, actor, Action.token_revoked, saved.token_id, now=now)
    return saved
