"""`treffpunkt-registration`: the shared commands (serve, migrate, staff tokens) and the machine clients' tokens."""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

# The shared CLI's way to reach the database, as its own token commands do.
from treffpunkt_shared.cli import ExtraCommand, run_cli, with_connection
from treffpunkt_shared.contracts.registration import ErasedBecause

from .adapters import api_clients
from .bootstrap import create_app
from .service_layer import erasure
from .settings import RegistrationSettings

MIGRATIONS = Path(__file__).parent / "migrations"


async def _create_client_token(settings: RegistrationSettings, args: argparse.Namespace) -> int:
    print(await with_connection(settings, lambda conn: api_clients.create(conn, args.name)))
    return 0


async def _revoke_client_token(settings: RegistrationSettings, args: argparse.Namespace) -> int:
    count = await with_connection(settings, lambda conn: api_clients.revoke(conn, args.name))
    print(f"revoked {count} client token(s)", file=sys.stderr)
    return 0 if count else 1


async def _erase_registration(settings: RegistrationSettings, args: argparse.Namespace) -> int:
    erased = await with_connection(settings, lambda conn: erasure.erase(conn, args.registration_id,
                                                                       ErasedBecause.staff, datetime.now(UTC)))
    print(f"registration {args.registration_id}: {'erased' if erased else 'not found'}", file=sys.stderr)
    return 0 if erased else 1


async def _erase_address(settings: RegistrationSettings, args: argparse.Namespace) -> int:
    ids = await with_connection(settings, lambda conn: erasure.erase_address(conn, args.email, ErasedBecause.staff,
                                                                             datetime.now(UTC)))
    print(f"erased {len(ids)} registration(s): {', '.join(map(str, ids)) or 'none'}", file=sys.stderr)
    return 0


async def _erase_due(settings: RegistrationSettings, args: argparse.Namespace) -> int:
    now = args.now or datetime.now(UTC)
    count = await with_connection(settings, lambda conn: erasure.erase_due(conn, now,
                                                                           batch_size=settings.erasure_batch_size))
    print(f"erased {count} registration(s) past their event's retention period", file=sys.stderr)
    return 0


def _registration_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("registration_id", type=UUID)


def _email(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email", help="every registration of this address, across events")


def _now(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--now", type=datetime.fromisoformat, default=None,
                        help="the time to erase as of (ISO 8601 with offset; default: now)")


def _name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the website or system the token is for")


def main() -> int:
    return run_cli(RegistrationSettings, create_app, MIGRATIONS, extra=(
        ExtraCommand("create-client-token", "create a token for a website's server that registers people (its own "
                     "rate limit; reads nothing) and print it once", _create_client_token, _name),
        ExtraCommand("revoke-client-token", "revoke the client tokens of that name", _revoke_client_token, _name),
        ExtraCommand("erase-registration", "erase a registration's personal data on the person's request (cancels "
                     "it if active; the notification service erases its copy)", _erase_registration, _registration_id),
        ExtraCommand("erase-address", "erase every registration of an email address, across events",
                     _erase_address, _email),
        ExtraCommand("erase-due", "erase the registrations past their event's retention period now (as the "
                     "scheduled job does)", _erase_due, _now),
    ))
