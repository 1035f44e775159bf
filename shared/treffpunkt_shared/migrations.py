"""Schema migrations with Alembic, run as a separate step (`<service> migrate`).

Revisions are plain SQL (`op.execute`), in each service's `migrations/versions/`. Alembic reaches
PostgreSQL through SQLAlchemy's asyncpg dialect so that the services need one driver only.
"""

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import async_engine_from_config

from .db import database_dsn, ensure_database


def _sqlalchemy_url(dsn: str) -> str:
    scheme, rest = dsn.split("://", 1)
    return f"postgresql+asyncpg://{rest}" if scheme in ("postgres", "postgresql") else dsn


def alembic_config(script_location: Path, dsn: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    # ConfigParser interpolation would choke on a `%` in a password.
    config.set_main_option("sqlalchemy.url", _sqlalchemy_url(dsn).replace("%", "%%"))
    return config


async def migrate(script_location: Path, server_url: str, database: str) -> None:
    """Create the database if needed and upgrade it to the newest revision."""
    await ensure_database(server_url, database)
    config = alembic_config(script_location, database_dsn(server_url, database))
    # Alembic's async env runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(command.upgrade, config, "head")


def execute_script(sql: str) -> None:
    """Run several SQL statements in a revision (`op.execute` takes one: it prepares it).

    asyncpg runs a parameterless script with the simple query protocol, which allows many
    statements; SQLAlchemy's `await_only` calls it from Alembic's synchronous revision code.
    """
    from alembic import op
    from sqlalchemy.util import await_only

    await_only(op.get_bind().connection.driver_connection.execute(sql))


def run_env() -> None:
    """The body of every service's `migrations/env.py`."""
    if context.is_offline_mode():
        context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online())


async def _run_online() -> None:
    engine = async_engine_from_config(
        context.config.get_section(context.config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


def _run_sync(connection) -> None:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
