"""PostgreSQL plumbing: one database per service on a shared server, an asyncpg pool with JSON codecs."""

import json
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from fastapi import Depends, Request


class DatabaseUnavailable(ConnectionError):
    """No connection to the database could be opened: the server is down, restarting, or refuses this
    database. A ConnectionError, so whatever retries on a refused connection retries on this too."""


# What a request meets while the database is away: no new connection, or the one in hand lost.
DATABASE_UNREACHABLE: tuple[type[Exception], ...] = (
    ConnectionError,  # refused, reset, broken pipe; and DatabaseUnavailable
    asyncpg.PostgresConnectionError,  # class 08, also "connection was closed in the middle of operation"
    asyncpg.AdminShutdownError,  # terminated by an administrator, or the server shutting down
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    # A pooled connection the server terminated while it was idle, taken before its end was noticed:
    # asyncpg has read the FATAL message and refuses the next statement ("cannot switch to state ...").
    asyncpg.InternalClientError,
)


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


async def _connect_or_unavailable(*args, **kwargs) -> asyncpg.Connection:
    # Whatever keeps a new connection from opening (refused, "not accepting connections", "starting
    # up", too many clients) means the same to a caller: the database is away for now.
    try:
        return await asyncpg.connect(*args, **kwargs)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseUnavailable(f"cannot connect to the database: {type(exc).__name__}: {exc}") from exc


async def _keep_session(_: asyncpg.Connection) -> None:
    """The pool's reset on release, instead of asyncpg's `SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`: a round trip on every release for session state that nothing here creates
    on a pool connection (advisory locks are transaction-level, LISTEN has its own connections, no
    SET or cursors outside a transaction). asyncpg still rolls back a transaction left open and drops
    the connection's listeners first."""


async def create_pool(dsn: str, *, size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn, min_size=1, max_size=size, init=_init_connection, command_timeout=30,
        connect=_connect_or_unavailable, reset=_keep_session,
    )


async def _request_pool(request: Request) -> asyncpg.Pool:
    # `async def`: FastAPI runs a plain `def` dependency in its thread pool, and that hand-off costs more
    # than the lookup.
    return request.app.state.pool


# How a route reaches the service's database pool, in every service.
DatabasePool = Annotated[asyncpg.Pool, Depends(_request_pool)]
