"""A staff service on a free port, its issuer an http://localhost address as in `make dev` (so that its
session cookie is not `Secure` and an HTTP client sends it back), with a clock the tests move."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from ..services import RunningService, free_port


class MovableClock:
    def __init__(self) -> None:
        self.current = datetime.now(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def start_staff(start_service, clock: MovableClock) -> Callable[..., Awaitable[RunningService]]:
    async def start(**overrides) -> RunningService:
        port = free_port()
        return await start_service("staff", http_port=port, issuer=f"http://localhost:{port}",
                                   app_options={"clock": clock}, **overrides)

    return start


@pytest.fixture
async def staff(start_staff) -> RunningService:
    return await start_staff()
