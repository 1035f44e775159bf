"""The admin API: accounts and their memberships, machine tokens, the audit trail. Called with the
session cookie of a signed-in admin and, for a change, the session's CSRF token in `X-CSRF-Token`."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from treffpunkt_shared.contracts.staff import MachineTokenSaved, Membership
from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.errors import require_found

from ..adapters import accounts, audit, machine_tokens
from ..adapters.audit import Actor
from ..domain.commands import CreateAccount, CreateMachineToken, UpdateAccount
from ..domain.model import Account
from ..service_layer import admin
from . import invitations_api
from .dependencies import ADMIN_REFUSALS, SIGNED_IN_REFUSALS, AdminCaller, ClockDep, Settings, SignedInCaller

router = APIRouter(prefix="/api/staff", tags=["admin"], responses=ADMIN_REFUSALS)
_UNKNOWN_ACCOUNT = {404: {"description": "No account with that id."}}


class AccountView(BaseModel):
    id: UUID
    email: str
    display_name: str
    language: str
    active: bool
    memberships: list[Membership]


class MachineTokenView(BaseModel):
    token_id: UUID
    name: str
    organisation_id: UUID | None = Field(description="Its scope: one organisation, or null for all.")
    can_write: bool
    created_at: datetime
    revoked_at: datetime | None


class CreatedMachineToken(MachineTokenView):
    token: str = Field(description="The token itself (`tpk_...`): shown this once, stored only as a hash.")


class AuditEntry(BaseModel):
    id: int
    occurred_at: datetime
    actor: str = Field(description="An account's id, a token's name, `command-line`, `anonymous` or "
                       "`openid-connect` (an account made or changed from the identity provider's groups).")
    actor_account_id: UUID | None
    action: str
    target_id: str | None = Field(description="What the action was about: an account's or a token's id, or "
                                  "for a failed sign-in with an unknown address `email-sha256:<hash>`.")
    detail: str | None = Field(None, description="How or why, in a few words: `oidc` for a sign-in through the "
                               "identity provider, `oidc: <reason>` for one refused (e.g. `oidc: ID token audience`).")


def _view(account: Account) -> AccountView:
    return AccountView(id=account.id, email=account.email, display_name=account.display_name,
                       language=account.language, active=account.active, memberships=list(account.memberships))


def _token_view(saved: MachineTokenSaved) -> MachineTokenView:
    return MachineTokenView(**saved.model_dump(include=set(MachineTokenView.model_fields)))


@router.get("/accounts", response_model=list[AccountView], summary="All accounts")
async def list_accounts(pool: DatabasePool, _: AdminCaller) -> list[AccountView]:
    return [_view(account) for account in await accounts.list_all(pool)]


@router.post("/accounts", response_model=AccountView, status_code=201, summary="Create an account",
             responses={409: {"description": "There is an account with this email address already."},
                        502: {"description": "With `invite`: the account was created, but the SMTP server did not "
                              "take the invitation; send it again with `POST /api/staff/accounts/{id}/invite`."}})
async def create_account(command: CreateAccount, pool: DatabasePool, caller: AdminCaller, settings: Settings,
                         clock: ClockDep) -> AccountView:
    actor = Actor.account(caller.account.id)
    account = await admin.create_account(pool, command, actor=actor, now=clock.now())
    if command.invite:
        await invitations_api.send_invitation(pool, settings, account.id, actor, clock)
    return _view(account)


@router.get("/accounts/{account_id}", response_model=AccountView, summary="One account", responses=_UNKNOWN_ACCOUNT)
async def get_account(account_id: UUID, pool: DatabasePool, _: AdminCaller) -> AccountView:
    return _view(require_found(await accounts.get(pool, account_id), "account", account_id))


@router.patch("/accounts/{account_id}", response_model=AccountView, summary="Change or deactivate an account",
              description="Sets the fields given: name, language, memberships (all replaced), `active` (false "
              "deactivates the account and ends its sessions).",
              responses=_UNKNOWN_ACCOUNT | {409: {"description": "The change would leave no active admin."}})
async def update_account(account_id: UUID, command: UpdateAccount, pool: DatabasePool, caller: AdminCaller,
                         clock: ClockDep) -> AccountView:
    return _view(await admin.update_account(pool, account_id, command, actor=Actor.account(caller.account.id),
                                            now=clock.now()))


@router.get("/tokens", response_model=list[MachineTokenView], summary="All machine tokens (never the tokens themselves)")
async def list_tokens(pool: DatabasePool, _: AdminCaller) -> list[MachineTokenView]:
    return [_token_view(saved) for saved in await machine_tokens.list_all(pool)]


@router.post("/tokens", response_model=CreatedMachineToken, status_code=201, summary="Create a machine token",
             description="The answer holds the token, this once. The other services learn of it from "
             "`staff.token.v1`.")
async def create_token(command: CreateMachineToken, pool: DatabasePool, caller: AdminCaller,
                       clock: ClockDep) -> CreatedMachineToken:
    token, saved = await admin.create_machine_token(pool, command, actor=Actor.account(caller.account.id),
                                                    now=clock.now())
    return CreatedMachineToken(**_token_view(saved).model_dump(), token=token)


@router.post("/tokens/{token_id}/revoke", response_model=MachineTokenView, summary="Revoke a machine token",
             responses={404: {"description": "No machine token with that id."}})
async def revoke_token(token_id: UUID, pool: DatabasePool, caller: AdminCaller, clock: ClockDep) -> MachineTokenView:
    return _token_view(await admin.revoke_machine_token(pool, token_id, actor=Actor.account(caller.account.id),
                                                        now=clock.now()))


@router.get("/audit", response_model=list[AuditEntry], summary="The audit trail, newest first",
            description="With `account_id`: what the account did and what was done to it. Admins read any; "
            "every account may read its own.",
            responses=SIGNED_IN_REFUSALS | {403: {"description": "Not an admin, and not the account's own trail."}})
async def audit_trail(pool: DatabasePool, caller: SignedInCaller, account_id: UUID | None = None) -> list[AuditEntry]:
    if not caller.account.is_admin and account_id != caller.account.id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins may read others' audit entries.")
    return [AuditEntry(**dict(row)) for row in await audit.entries(pool, account_id=account_id)]
