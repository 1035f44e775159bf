from pathlib import Path

from treffpunkt_shared.cli import run_cli

from .bootstrap import create_app
from .settings import NotificationSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def main() -> int:
    return run_cli(NotificationSettings, create_app, MIGRATIONS)
