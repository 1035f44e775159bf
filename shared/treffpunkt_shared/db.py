"""PostgreSQL plumbing: one database per service on a shared server, an asyncpg pool with JSON codecs."""

import json
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def database_dsn(server_url: str, database: str) -> str:
    """The URL of `database` on the server that `server_url` points to (whatever database it names)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def ensure_database(server_url: str, database: str) -> bool:
    """Create the service's database if it is missing; True if it was created."""
    conn = await asyncpg.connect(database_dsn(server_url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists:
            return False
        try:
            # Identifiers cannot be parameters; quote_ident keeps the name safe.
            quoted = await conn.fetchval("SELECT quote_ident($1)", database)
            await conn.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:
            return False  # another replica created it at the same moment
        return True
    finally:
        await conn.close()


async def connect(dsn: str) -> asyncpg.Connection:
    """A single connection with the same JSON codecs as the pool's."""
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


async def _init_connection(conn: asyncpg.Connection) -> None:
    for json_type in ("json", "jsonb"):
        await conn.set_type_codec(json_type, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(dsn: str, *, size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn, min_size=1, max_size=size, init=_init_connection, command_timeout=30
    )
