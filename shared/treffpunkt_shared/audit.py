"""The audit trail of staff actions, kept by each service in its own database where the action happens.

`record` is called inside the action's transaction: the entry exists exactly when the change does. An entry
names the actor (account id or "token:<name>", with the display name), the action (`event.published`,
`registration.cancelled`, ...), the target's id and the event's id where there is one; never a registrant's
personal data (ids only). `audit_router` gives each service `GET /api/staff/audit`, deciding who may read
what from the service's own knowledge of an event's organisers.
"""

from collections.abc import Awaitable, Callable, Collection
from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from .db import DatabasePool
from .errors import require_found
from .staff_access import (
    STAFF_REFUSALS,
    STAFF_TOKENS_V2,
    STAFF_TOKENS_V2_DOWN,
    Principal,
    PrincipalKind,
    StaffPrincipal,
    forbidden,
)

AUDIT_V1 = """
CREATE TABLE audit_entry (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT audit_entry_pkey PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    actor_name text NOT NULL,
    action text NOT NULL,
    target_id text NOT NULL,
    event_id uuid
);
CREATE INDEX audit_entry_event_id_idx ON audit_entry (event_id, id);
CREATE INDEX audit_entry_actor_idx ON audit_entry (actor, id);
"""
AUDIT_V1_DOWN = "DROP TABLE audit_entry;"

# One migration in each service that takes staff tokens: the machine tokens' copy with scope, the audit trail.
STAFF_AUTHORIZATION_V1 = STAFF_TOKENS_V2 + AUDIT_V1
STAFF_AUTHORIZATION_V1_DOWN = AUDIT_V1_DOWN + STAFF_TOKENS_V2_DOWN

# The most entries one answer lists (the newest); enough for an event's season.
AUDIT_PAGE = 1000


async def record(conn: asyncpg.Connection, principal: Principal, action: str, target_id: UUID | str, *,
                 event_id: UUID | None = None) -> None:
    """Note `action` by `principal` on `target_id`; call it in the action's transaction."""
    await conn.execute(
        "INSERT INTO audit_entry (actor, actor_name, action, target_id, event_id) VALUES ($1, $2, $3, $4, $5)",
        principal.actor, principal.name, action, str(target_id), event_id,
    )


class AuditEntry(BaseModel):
    id: int = Field(description="The entry's number here (ascending in time).")
    occurred_at: datetime = Field(description="When the action happened.")
    actor: str = Field(description="Who did it: the staff account's id, or `token:<name>` for a machine token.")
    actor_name: str = Field(description="The account's display name or the machine token's name.")
    action: str = Field(description="What was done, e.g. `event.published`, `registration.cancelled`.")
    target_id: str = Field(description="The id of what it was done to.")
    event_id: UUID | None = Field(description="The event it concerns, where there is one.")


EventOrganisers = Callable[[asyncpg.Pool, UUID], Awaitable[Collection[UUID] | None]]


def audit_router(prefix: str, event_organisers: EventOrganisers) -> APIRouter:
    """`GET <prefix>/audit`. `event_organisers`: the organisation ids organising an event, from the service's
    own data; None when the event is unknown here (404)."""
    router = APIRouter(prefix=prefix, tags=["staff"], responses=STAFF_REFUSALS)

    @router.get("/audit", summary="The audit trail of staff actions here, newest first",
                responses={404: {"description": "No event with that id is known here."}})
    async def audit(
        pool: DatabasePool, principal: StaffPrincipal,
        event_id: Annotated[UUID | None, Query(description="Only actions concerning this event (admins and the "
                                               "event's organisers).")] = None,
        actor: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description=(
            "Only actions of this actor (admins; a staff account its own id)."))] = None,
    ) -> list[AuditEntry]:
        """Who did what when. Without a filter: admins only."""
        if event_id is not None:
            organisers = require_found(await event_organisers(pool, event_id), "event", event_id)
            if not (principal.is_admin or principal.organises(organisers)):
                raise forbidden("read the audit trail of this event")
        if actor is not None and not (principal.is_admin or _is_own(principal, actor)):
            raise forbidden("read another staff member's audit trail")
        if event_id is None and actor is None and not principal.is_admin:
            raise forbidden("read the whole audit trail (give event_id or your own actor id)")
        rows = await pool.fetch(
            """
            SELECT id, occurred_at, actor, actor_name, action, target_id, event_id FROM audit_entry
            WHERE ($1::uuid IS NULL OR event_id = $1) AND ($2::text IS NULL OR actor = $2)
            ORDER BY id DESC LIMIT $3
            """,
            event_id, actor, AUDIT_PAGE,
        )
        return [AuditEntry(**dict(row)) for row in rows]

    return router


def _is_own(principal: Principal, actor: str) -> bool:
    return principal.kind is PrincipalKind.account and principal.actor == actor
