"""uvicorn inside a process that runs other things too (the tests, the mailbox)."""

from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn


class InProcessServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers alone: its host decides when it stops."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
