"""A staff service on a free port, its issuer an http://localhost address as in `make dev` (so that its
session cookie is not `Secure` and an HTTP client sends it back), with a clock the tests move."""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest

from staff.adapters.audit import COMMAND_LINE
from staff.service_layer.accounts import ensure_account
from treffpunkt_shared.contracts.staff import Membership
from treffpunkt_shared.db import connect

from ..browser.conftest import browser, page  # noqa: F401  (Chromium, for the pages' tests)
from ..services import RunningService, free_port
from .oidc_fixtures import (  # noqa: F401 (the OpenID provider and staff services that sign in through it)
    clients,
    provider,
    provider_logs,
    staff_port,
    start_oidc_staff,
)


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


async def add_account(staff: RunningService, email: str, password: str | None, memberships: list[Membership] = (),
                      *, name: str = "Erika Beispiel", language: str = "de") -> UUID:
    """An account made as `make dev` and `create-admin` make them (audited as the command line)."""
    conn = await connect(staff.dsn)
    try:
        return await ensure_account(conn, email=email, display_name=name, language=language,
                                    memberships=list(memberships), password=password, actor=COMMAND_LINE,
                                    now=datetime.now(UTC))
    finally:
        await conn.close()


def hidden_field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no field {name} in the page"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str, *, lang: str = "de") -> httpx.Response:
    """Fill in and send the sign-in form, as a browser does (its CSRF cookie and field)."""
    form = await client.get("/sign-in", params={"lang": lang})
    assert form.status_code == 200, form.text
    return await client.post("/sign-in", data={"email": email, "password": password, "lang": lang,
                                               "csrf_token": hidden_field(form.text, "csrf_token")})


@asynccontextmanager
async def signed_in_client(staff: RunningService, email: str, password: str
                           ) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client of its own with a live session, and the session's CSRF token (from the landing page)."""
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as client:
        answer = await sign_in(client, email, password)
        assert answer.status_code == 303, answer.text
        home = await client.get("/")
        assert home.status_code == 200
        yield client, hidden_field(home.text, "csrf_token")


@pytest.fixture
def start_staff_with_mail(mailbox, start_staff) -> Callable[..., Awaitable[RunningService]]:
    """The staff service sending to the test's mailbox (a real SMTP server); `mailbox` first, so that it stops
    after the service."""
    async def start(**overrides) -> RunningService:
        return await start_staff(**{"smtp_host": mailbox.host, "smtp_port": mailbox.smtp_port,
                                    "sender_name": "Treffpunkt Beispielstadt",
                                    "sender_address": "treffpunkt@beispielstadt.example.de"} | overrides)

    return start


def link_in(text: str, path: str) -> str:
    """The link to `path` in an email's text, as the recipient clicks it."""
    found = re.search(rf"(http://\S+{re.escape(path)}\?token=\S+)", text)
    assert found, f"no link to {path} in:\n{text}"
    return found.group(1)
