import pytest


@pytest.fixture
async def catalog(start_service):
    return await start_service("catalog")


@pytest.fixture
async def staff(catalog) -> dict[str, str]:
    """Headers of a staff member who may change the catalog."""
    return {"Authorization": f"Bearer {await catalog.create_token(can_write=True)}"}
