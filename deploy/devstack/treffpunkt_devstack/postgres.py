"""A real PostgreSQL server from the `pgserver` wheel, listening on a Unix socket in a data folder.

The data survives restarts of `make dev`; tests use a temporary folder.
"""

import logging
import subprocess
import warnings
from contextlib import suppress
from pathlib import Path

with warnings.catch_warnings():
    # pgserver asks platformdirs for a runtime folder at import; where XDG_RUNTIME_DIR is unset
    # it warns and falls back to /tmp, which is what we want anyway.
    warnings.simplefilter("ignore")
    import pgserver
    from pgserver._commands import pg_ctl  # the wheel's pg_ctl wrapper (runs as its system user)


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, *, delete_on_stop: bool = False) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(data_dir, cleanup_mode="delete" if delete_on_stop else "stop")
        self.data_dir = data_dir

    @property
    def url(self) -> str:
        """The server URL (any database on it is reached by replacing the path)."""
        return self._server.get_uri()

    def restart(self) -> None:
        """Stop and start the server: clients lose their connections, the data stays."""
        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=self.data_dir, user=self._server.system_user)

    def stop(self) -> None:
        # pgserver's cleanup stops the postmaster it started, but after `restart()` that process is
        # gone and a new one runs: stop whatever runs on the data folder ourselves, then let pgserver
        # do its bookkeeping (and delete the folder where asked).
        if (self.data_dir / "postmaster.pid").exists():
            with suppress(subprocess.CalledProcessError):
                pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=self._server.system_user)
        # Its own stop then finds no server and logs that as an error: expected here, so not shown.
        pgserver_log = logging.getLogger("pgserver")
        level = pgserver_log.level
        pgserver_log.setLevel(logging.CRITICAL)
        try:
            self._server.cleanup()
        finally:
            pgserver_log.setLevel(level)
