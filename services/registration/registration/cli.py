from pathlib import Path

from treffpunkt_shared.cli import run_cli

from .bootstrap import create_app
from .settings import RegistrationSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def main() -> int:
    return run_cli(RegistrationSettings, create_app, MIGRATIONS)
