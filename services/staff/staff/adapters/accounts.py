"""Staff accounts and their memberships in PostgreSQL."""

from uuid import UUID, uuid4

import asyncpg

from treffpunkt_shared.contracts.staff import Membership

from ..domain.model import Account, normalise_email

_SELECT = """
SELECT a.id, a.email, a.display_name, a.language, a.active,
       coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'role', m.role, 'organisation_id', m.organisation_id, 'contact_person_id', m.contact_person_id)))
           FILTER (WHERE m.role IS NOT NULL), '[]'::jsonb) AS memberships
FROM staff_account a LEFT JOIN staff_membership m ON m.account_id = a.id
"""


def _account(row: asyncpg.Record) -> Account:
    memberships = tuple(sorted((Membership.model_validate(m) for m in row["memberships"]),
                               key=lambda m: (m.role.value, str(m.organisation_id), str(m.contact_person_id))))
    return Account(row["id"], row["email"], row["display_name"], row["language"], row["active"], memberships)


async def get(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID) -> Account | None:
    row = await db.fetchrow(f"{_SELECT} WHERE a.id = $1 GROUP BY a.id", account_id)
    return _account(row) if row else None


async def find_by_email(db: asyncpg.Pool | asyncpg.Connection, email: str) -> Account | None:
    row = await db.fetchrow(f"{_SELECT} WHERE lower(a.email) = $1 GROUP BY a.id", normalise_email(email))
    return _account(row) if row else None


async def list_all(db: asyncpg.Pool | asyncpg.Connection) -> list[Account]:
    return [_account(row) for row in await db.fetch(f"{_SELECT} GROUP BY a.id ORDER BY lower(a.email)")]


async def insert(conn: asyncpg.Connection, *, email: str, display_name: str, language: str,
                 password_hash: str | None = None) -> UUID | None:
    """The new account's id, or None if the address has one already."""
    return await conn.fetchval(
        """INSERT INTO staff_account (id, email, display_name, language, password_hash) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT ((lower(email))) DO NOTHING RETURNING id""",
        uuid4(), normalise_email(email), display_name, language, password_hash)


async def update(conn: asyncpg.Connection, account_id: UUID, **changes: object) -> None:
    """Set the given columns (display_name, language, active)."""
    allowed = {"display_name", "language", "active"}
    if not changes:
        return
    if not changes.keys() <= allowed:
        raise ValueError(f"not a changeable column: {sorted(changes.keys() - allowed)}")
    names = sorted(changes)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=2))
    await conn.execute(f"UPDATE staff_account SET {assignments}, updated_at = now() WHERE id = $1",
                       account_id, *(changes[name] for name in names))


async def replace_memberships(conn: asyncpg.Connection, account_id: UUID, memberships: list[Membership]) -> None:
    await conn.execute("DELETE FROM staff_membership WHERE account_id = $1", account_id)
    await add_memberships(conn, account_id, memberships)


async def add_memberships(conn: asyncpg.Connection, account_id: UUID, memberships: list[Membership]) -> None:
    await conn.executemany(
        """INSERT INTO staff_membership (account_id, role, organisation_id, contact_person_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT ON CONSTRAINT staff_membership_key DO NOTHING""",
        [(account_id, m.role.value, m.organisation_id, m.contact_person_id) for m in memberships])


async def password_hash(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID) -> str | None:
    return await db.fetchval("SELECT password_hash FROM staff_account WHERE id = $1", account_id)


async def set_password_hash(db: asyncpg.Pool | asyncpg.Connection, account_id: UUID, password_hash: str) -> None:
    await db.execute("UPDATE staff_account SET password_hash = $2, updated_at = now() WHERE id = $1",
                     account_id, password_hash)
