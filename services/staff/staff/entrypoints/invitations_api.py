"""The admin API's invitation: `POST /api/staff/accounts/{account_id}/invite` emails the account a one-time
link to set its password (in the account's language). Answered once the SMTP server has taken the email:
502 if it did not, so that the admin knows at once and may try again."""

from datetime import datetime
from uuid import UUID

import asyncpg
from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from treffpunkt_shared.clock import Clock
from treffpunkt_shared.db import DatabasePool

from ..adapters.audit import Actor
from ..adapters.mail import MailNotSent
from ..service_layer import password_links
from ..settings import StaffSettings
from .dependencies import ADMIN_REFUSALS, AdminCaller, ClockDep, Settings

router = APIRouter(prefix="/api/staff", tags=["admin"])


class InvitationSent(BaseModel):
    account_id: UUID = Field(description="The account invited.")
    expires_at: datetime = Field(description="Until when the link in the email sets a password (once).")


@router.post("/accounts/{account_id}/invite", response_model=InvitationSent, responses=ADMIN_REFUSALS | {
    404: {"description": "There is no account with this id."},
    409: {"description": "The account is deactivated."},
    502: {"description": "The SMTP server did not take the invitation; nothing was sent. Try again later."},
})
async def invite(account_id: UUID, caller: AdminCaller, pool: DatabasePool, settings: Settings,
                 clock: ClockDep) -> InvitationSent:
    """Email the account a link to set its password, valid for `STAFF_INVITATION_VALID_HOURS` and once; a new
    invitation replaces the earlier ones."""
    expires_at = await send_invitation(pool, settings, account_id, Actor.account(caller.account.id), clock)
    return InvitationSent(account_id=account_id, expires_at=expires_at)


async def send_invitation(pool: asyncpg.Pool, settings: StaffSettings, account_id: UUID, actor: Actor,
                          clock: Clock) -> datetime:
    """The invitation of the account sent (when its link expires), or 502 if the SMTP server did not take it."""
    try:
        return await password_links.invite(pool, settings, account_id, actor, now=clock.now())
    except MailNotSent:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"The SMTP server did not take the invitation of account "
                            f"{account_id}; nothing was sent. Please try again later (POST "
                            f"/api/staff/accounts/{account_id}/invite).") from None
