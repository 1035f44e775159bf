"""`treffpunkt-catalog`: the shared commands (serve, migrate, tokens) and `load-demo`."""

import argparse
import sys
from pathlib import Path

from treffpunkt_shared.cli import ExtraCommand, run_cli
from treffpunkt_shared.db import connect, database_dsn

from .bootstrap import create_app
from .demo import load_demo
from .settings import CatalogSettings

MIGRATIONS = Path(__file__).parent / "migrations"


async def _load_demo(settings: CatalogSettings, _: argparse.Namespace) -> int:
    conn = await connect(database_dsn(settings.database_url, settings.database))
    try:
        created = await load_demo(conn)
    finally:
        await conn.close()
    print(f"demo data loaded: {created} new item(s)", file=sys.stderr)
    return 0


def main() -> int:
    return run_cli(
        CatalogSettings,
        create_app,
        MIGRATIONS,
        extra=(ExtraCommand("load-demo", "create the demo data that is missing (run `migrate` first)", _load_demo),),
    )
