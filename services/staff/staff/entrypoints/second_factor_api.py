"""The admin API's part of the second factor: `DELETE /api/staff/accounts/{account_id}/totp` takes an
account's TOTP factor away, for someone who lost their authenticator (they sign in with the password and
set up a new one; where admins must use one, an admin is asked to at once)."""

from uuid import UUID

from fastapi import APIRouter, Response, status

from treffpunkt_shared.db import DatabasePool

from ..adapters.audit import Actor
from ..service_layer import second_factor
from .dependencies import ADMIN_REFUSALS, AdminCaller, ClockDep

router = APIRouter(prefix="/api/staff", tags=["admin"])


@router.delete("/accounts/{account_id}/totp", status_code=204, summary="Remove an account's second factor",
               responses=ADMIN_REFUSALS | {404: {"description": "There is no account with this id."}})
async def remove_totp(account_id: UUID, caller: AdminCaller, pool: DatabasePool, clock: ClockDep) -> Response:
    """The account's TOTP factor is deleted (a factor being set up too); without one, nothing changes."""
    await second_factor.remove(pool, account_id, Actor.account(caller.account.id), now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
