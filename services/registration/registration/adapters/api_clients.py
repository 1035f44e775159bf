"""Machine clients: the servers of cities' and chambers' websites that post registrations for the
people who fill in their forms. Their tokens are not staff tokens: they read nothing, and only give
the client its own rate limit (instead of sharing one with everyone at its address). Kept as hashes,
made like staff tokens (`treffpunkt_shared.staff_access`)."""

import asyncpg

from treffpunkt_shared.staff_access import hash_token, new_token


async def create(conn: asyncpg.Connection, name: str) -> str:
    token = new_token()
    await conn.execute("INSERT INTO api_client (name, token_hash) VALUES ($1, $2)", name, hash_token(token))
    return token


async def revoke(conn: asyncpg.Connection, name: str) -> int:
    result = await conn.execute("UPDATE api_client SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL", name)
    return int(result.split()[-1])


async def holder(pool: asyncpg.Pool, token: str) -> str | None:
    """The name of the client whose token this is, while not revoked."""
    return await pool.fetchval("SELECT name FROM api_client WHERE token_hash = $1 AND revoked_at IS NULL",
                               hash_token(token))
