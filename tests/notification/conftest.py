"""The notification service under test: real SMTP (the mailbox), real Kafka protocol, real PostgreSQL,
and a clock the test moves instead of waiting for coalescing windows and digest hours."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from treffpunkt_devstack.mailbox import Mailbox
from treffpunkt_shared.local_time import BERLIN

from ..services import RunningService

# Short waits, so that retries and schedules take milliseconds; the coalescing window, the
# digest hour and the reminder schedule keep their defaults and are passed by the clock.
FAST = {
    "sender_poll_seconds": 0.05,
    "notice_poll_seconds": 0.05,
    "reminder_poll_seconds": 0.05,
    "retry_initial_seconds": 0.05,
    "retry_max_seconds": 0.2,
    "smtp_timeout_seconds": 5,
    "sender_name": "Treffpunkt Beispielstadt",
    "sender_address": "treffpunkt@beispielstadt.example.de",
}


class FakeClock:
    """Stands still until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self._now = now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2027, 3, 1, 9, 0, tzinfo=BERLIN))


@pytest.fixture
def start_notification(mailbox: Mailbox, start_service, clock: FakeClock) -> Callable[..., Awaitable[RunningService]]:
    # `mailbox` first: set up first, torn down last, so the service stops before the SMTP server does.
    async def start(**overrides: Any) -> RunningService:
        return await start_service("notification", app_options={"clock": clock},
                                   smtp_host=mailbox.host, smtp_port=mailbox.smtp_port,
                                   **FAST | overrides)

    return start


@pytest.fixture
async def notification(start_notification) -> RunningService:
    return await start_notification()
