"""The command line every service has: `serve`, `migrate`, and (but the staff service) `create-token`, `revoke-token`
(an operator's first machine token).

A service adds its own commands through `extra`. `--help` needs no settings. Without `DATABASE_URL` in
the environment the commands use the database of a running `make dev`, which writes its address to
`var/dev.env` (relative to the current directory: the repository's root).
"""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import uvicorn
from fastapi import FastAPI

from .db import DATABASE_UNREACHABLE, connect, database_dsn
from .http_server import server_config
from .logs import configure_logging
from .settings import MissingSettings, ServiceSettings
from .staff_access import create_token, revoke_token

Command = Callable[[ServiceSettings, argparse.Namespace], Awaitable[int]]
DEV_ENV_FILE = Path("var/dev.env")


@dataclass(frozen=True)
class ExtraCommand:
    name: str
    help: str
    run: Command
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None


def run_cli(
    settings_class: type[ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    migrations: Path,
    extra: tuple[ExtraCommand, ...] = (),
    argv: list[str] | None = None,
    *,
    token_commands: bool = True,
) -> int:
    """`token_commands`: whether the service has the staff bearer tokens of `auth` (`create-token`, `revoke-token`);
    the staff service manages its machine tokens otherwise."""
    parser = argparse.ArgumentParser(prog=f"treffpunkt-{settings_class.service_name}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP API, the Kafka consumers and the outbox relay")
    commands.add_parser("migrate", help="create the database if missing and upgrade its schema")
    if token_commands:
        create = commands.add_parser("create-token", help="create a machine token (tpk_...) for this service and print "
                                     "it once: the operator's bootstrap; the staff service's admins manage the others")
        create.add_argument("name", help="who or what the token is for (audit entries name it)")
        create.add_argument("--read-only", action="store_true", help="may read, may not change anything")
        create.add_argument("--organisation", type=UUID, metavar="ID", help="scope: this organisation's data only "
                            "(as its organiser); without it, everything (as an admin)")
        revoke = commands.add_parser("revoke-token", help="revoke the machine tokens of that name")
        revoke.add_argument("name")
    for command in extra:
        command.arguments(commands.add_parser(command.name, help=command.help))
    args = parser.parse_args(argv)

    # The environment wins over the file (pydantic-settings reads a dotenv file after it).
    settings = settings_class(_env_file=DEV_ENV_FILE)
    configure_logging(settings.service_name, settings.log_level)
    if args.command == "serve":
        try:
            settings.check_can_serve()
        except MissingSettings as missing:
            print(missing, file=sys.stderr)
            return 2
        return _serve(settings, app_factory)
    try:
        return _run_command(settings, migrations, extra, args)
    except (*DATABASE_UNREACHABLE, OSError) as error:  # OSError: no socket where the URL points
        # Not the URL itself: it may hold a password.
        print(f"treffpunkt-{settings.service_name}: cannot reach the database ({type(error).__name__}). Set "
              f"DATABASE_URL (or {settings.model_config.get('env_prefix', '')}DATABASE_URL), or start `make dev` "
              f"in this directory (it writes {DEV_ENV_FILE}).", file=sys.stderr)
        return 1


def _run_command(settings: ServiceSettings, migrations: Path, extra: tuple[ExtraCommand, ...],
                 args: argparse.Namespace) -> int:
    if args.command == "migrate":
        from .migrations import migrate  # Alembic and SQLAlchemy load slowly; only this command needs them

        asyncio.run(migrate(migrations, settings.database_url, settings.database))
        return 0
    if args.command == "create-token":
        token = asyncio.run(with_connection(settings, lambda c: create_token(
            c, args.name, can_write=not args.read_only, organisation_id=args.organisation)))
        print(token)
        return 0
    if args.command == "revoke-token":
        count = asyncio.run(with_connection(settings, lambda c: revoke_token(c, args.name)))
        print(f"revoked {count} token(s)", file=sys.stderr)
        return 0 if count else 1
    command = next(c for c in extra if c.name == args.command)
    return asyncio.run(command.run(settings, args))


def _serve(settings: ServiceSettings, app_factory: Callable[[ServiceSettings], FastAPI]) -> int:
    server = _Server(server_config(app_factory(settings), settings))
    server.run()
    return 0 if server.started else 1


class _Server(uvicorn.Server):
    """Exits 0 after a graceful shutdown on SIGTERM or SIGINT. uvicorn raises the signal again once it has
    shut down, and the process would end as killed by it (143) though it stopped cleanly."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


async def with_connection(settings: ServiceSettings, work):
    conn = await connect(database_dsn(settings.database_url, settings.database))
    try:
        return await work(conn)
    finally:
        await conn.close()
