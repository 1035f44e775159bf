import pytest

from ..faults.rush import RUSH_RATE_LIMITS
from .scenario import Saga


@pytest.fixture
async def saga(start_service) -> Saga:
    catalog = await start_service("catalog")
    registration = await start_service("registration", **RUSH_RATE_LIMITS)
    return Saga(
        catalog=catalog,
        registration=registration,
        staff={"Authorization": f"Bearer {await catalog.create_token()}"},
        registration_staff={"Authorization": f"Bearer {await registration.create_token()}"},
    )
