"""The time a service follows (notification: coalescing windows, daily digests, reminders; staff: session
timeouts, key ages).

Passed in rather than read from the system, so tests move time forward instead of waiting for it.
"""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
