"""A real PostgreSQL server from the `pgserver` wheel, listening on a Unix socket in a data folder.

The data survives restarts of `make dev`; tests use a temporary folder.
"""

import warnings
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
        self._server.cleanup()
