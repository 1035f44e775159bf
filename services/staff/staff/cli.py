"""`treffpunkt-staff`: the shared commands (serve, migrate), the first admin account, and rotating the keys
that sign access tokens."""

import argparse
import sys
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError

from treffpunkt_shared.cli import ExtraCommand, run_cli, with_connection
from treffpunkt_shared.clock import SystemClock

from .adapters.audit import COMMAND_LINE
from .bootstrap import create_app
from .service_layer.access_tokens import kept_for, rotate
from .service_layer.accounts import AccountsFile, create_admin, import_accounts
from .settings import StaffSettings

MIGRATIONS = Path(__file__).parent / "migrations"


async def _create_admin(settings: StaffSettings, args: argparse.Namespace) -> int:
    name = args.name or args.email.split("@", 1)[0]
    password = await with_connection(settings, lambda conn: create_admin(conn, args.email, name, now=SystemClock().now()))
    print(f"{args.email}\n{password}")
    return 0


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _admin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email", type=_email, help="the admin's email address (sign-in name)")
    parser.add_argument("--name", help="display name (default: the address's part before the @)")


async def _import_accounts(settings: StaffSettings, args: argparse.Namespace) -> int:
    try:
        accounts = AccountsFile.model_validate_json(args.file.read_text())
    except (OSError, ValidationError) as error:
        print(f"treffpunkt-staff: {args.file} is not an accounts file: {error}", file=sys.stderr)
        return 2
    count = await with_connection(settings, lambda conn: import_accounts(conn, accounts, now=SystemClock().now()))
    print(f"{count} account(s) imported", file=sys.stderr)
    return 0


def _file_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help='JSON: {"accounts": [{"email": ..., "password": ..., '
                        '"roles": [{"role": "organiser", "organisation_id": ...}], "name": ...}]}')


async def _rotate_keys(settings: StaffSettings, args: argparse.Namespace) -> int:
    key = await with_connection(settings, lambda conn: rotate(conn, settings, actor=COMMAND_LINE, now=SystemClock().now()))
    print(f"signing with key {key.kid} now; the previous key stays published for "
          f"{kept_for(settings).total_seconds():.0f} seconds", file=sys.stderr)
    return 0


def main() -> int:
    return run_cli(StaffSettings, create_app, MIGRATIONS, token_commands=False, extra=(
        ExtraCommand("create-admin", "create an admin account (or make an account admin) with a new password, "
                     "and print the password once", _create_admin, _admin_arguments),
        ExtraCommand("import-accounts", "create the accounts of a JSON file that are missing, add their roles and set "
                     "their passwords (make dev's var/dev-accounts.json is one)", _import_accounts, _file_argument),
        ExtraCommand("rotate-keys", "sign access tokens with a new key from now on (the previous one stays published "
                     "while its tokens may be valid)", _rotate_keys),
    ))
