"""Machine tokens (`tpk_...`) for scripts and integrations, stored as SHA-256 like the services' own
(`treffpunkt_shared.staff_access`); each change's state goes to the outbox as `MachineTokenSaved`."""

from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from treffpunkt_shared.contracts.staff import MachineTokenSaved
from treffpunkt_shared.staff_access import hash_token, new_token

_COLUMNS = "id AS token_id, name, token_hash, organisation_id, can_write, created_at, revoked_at"


def _saved(row: asyncpg.Record) -> MachineTokenSaved:
    return MachineTokenSaved.model_validate(dict(row))


async def insert(conn: asyncpg.Connection, *, name: str, organisation_id: UUID | None, can_write: bool,
                 created_by: UUID, now: datetime) -> tuple[str, MachineTokenSaved]:
    """The new token (shown once, not stored) and its state."""
    token = new_token()
    row = await conn.fetchrow(
        f"""INSERT INTO machine_token (id, name, token_hash, organisation_id, can_write, created_by, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_COLUMNS}""",
        uuid4(), name, hash_token(token), organisation_id, can_write, created_by, now)
    return token, _saved(row)


async def revoke(conn: asyncpg.Connection, token_id: UUID, *, now: datetime) -> MachineTokenSaved | None:
    """The token's state once revoked (revoking it again changes nothing), or None if there is no such token."""
    row = await conn.fetchrow(
        f"UPDATE machine_token SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING {_COLUMNS}",
        token_id, now)
    return _saved(row) if row else None


async def list_all(db: asyncpg.Pool | asyncpg.Connection) -> list[MachineTokenSaved]:
    return [_saved(row) for row in await db.fetch(f"SELECT {_COLUMNS} FROM machine_token ORDER BY created_at, id")]
