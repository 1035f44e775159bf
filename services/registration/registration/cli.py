"""`treffpunkt-registration`: the shared commands (serve, migrate, staff tokens) and the machine clients' tokens."""

import argparse
import sys
from pathlib import Path

# The shared CLI's way to reach the database, as its own token commands do.
from treffpunkt_shared.cli import ExtraCommand, run_cli, with_connection

from .adapters import api_clients
from .bootstrap import create_app
from .settings import RegistrationSettings

MIGRATIONS = Path(__file__).parent / "migrations"


async def _create_client_token(settings: RegistrationSettings, args: argparse.Namespace) -> int:
    print(await with_connection(settings, lambda conn: api_clients.create(conn, args.name)))
    return 0


async def _revoke_client_token(settings: RegistrationSettings, args: argparse.Namespace) -> int:
    count = await with_connection(settings, lambda conn: api_clients.revoke(conn, args.name))
    print(f"revoked {count} client token(s)", file=sys.stderr)
    return 0 if count else 1


def _name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the website or system the token is for")


def main() -> int:
    return run_cli(RegistrationSettings, create_app, MIGRATIONS, extra=(
        ExtraCommand("create-client-token", "create a token for a website's server that registers people (its own "
                     "rate limit; reads nothing) and print it once", _create_client_token, _name),
        ExtraCommand("revoke-client-token", "revoke the client tokens of that name", _revoke_client_token, _name),
    ))
