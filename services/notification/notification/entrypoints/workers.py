"""The background work that runs beside the consumers and the HTTP API: the sender, the contact
persons' notice schedule and the events' reminders."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

log = logging.getLogger(__name__)


async def repeat(name: str, work: Callable[[], Awaitable[object]], interval: float,
                 wake: asyncio.Event | None = None) -> None:
    """Do `work` every `interval` seconds (sooner when `wake` is set) until cancelled.

    A failed round (the database away, say) is logged and the next one comes all the same: a worker
    that died quietly would leave emails unsent.
    """
    while True:
        try:
            await work()
        except Exception as exc:
            # The type only: a database error's text can quote the row it is about.
            log.warning("%s failed, trying again in %.1fs: %s", name, interval, type(exc).__name__)
        if wake is None:
            await asyncio.sleep(interval)
            continue
        with suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), interval)
        wake.clear()
