import pytest

from ..faults.rush import RUSH_RATE_LIMITS
from .scenario import Saga, start_saga


@pytest.fixture
async def saga(start_service) -> Saga:
    return await start_saga(start_service, **RUSH_RATE_LIMITS)
