"""The OpenID provider of the staff service's sign-in tests and staff services that sign in through it. The
provider runs once per test module; the module's staff services (one at a time) share one port, so that the
provider knows their redirect URI before they start."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from treffpunkt_shared.clock import Clock

from ..oidc_provider import Client, OpenIDProvider
from ..services import RunningService, free_port

STAFF_CLIENT_SECRET = "staff-client-secret-0123456789abcdef"
OTHER_REDIRECT = "http://localhost:9/callback"  # nothing listens there: a test reads the code from the redirect
OTHER_CLIENT = Client("other-app", "other-app-secret-0123456789abcdef", [OTHER_REDIRECT])
PROVIDER_NAME = "Stadt-Login"


@pytest.fixture(scope="module")
def staff_port() -> int:
    """One port for the module's staff services (one at a time): the provider knows their redirect URI."""
    return free_port()


@pytest.fixture(scope="module")
def clients(staff_port: int) -> list[Client]:
    return [Client("treffpunkt-staff", STAFF_CLIENT_SECRET, [f"http://localhost:{staff_port}/sign-in/oidc/callback"]),
            OTHER_CLIENT]


@pytest.fixture(scope="module")
def provider_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("oidc-provider")


@pytest.fixture(scope="module")
async def provider(clients: list[Client], provider_logs: Path) -> AsyncIterator[OpenIDProvider]:
    """The provider as the standard has it for the code flow: the address and groups only from UserInfo."""
    async with OpenIDProvider(clients, provider_logs / "provider.log") as running:
        yield running


@pytest.fixture
def start_oidc_staff(start_service, clock: Clock, staff_port: int) -> Callable[..., Awaitable[RunningService]]:
    async def start(issuer: str, **overrides: Any) -> RunningService:
        """A staff service whose identity provider is at `issuer`."""
        return await start_service(
            "staff", http_port=staff_port, issuer=f"http://localhost:{staff_port}", app_options={"clock": clock},
            oidc_issuer=issuer, oidc_client_id="treffpunkt-staff", oidc_client_secret=STAFF_CLIENT_SECRET,
            oidc_provider_name=PROVIDER_NAME, oidc_scopes="openid email profile groups", **overrides)

    return start
