"""Runs a service for a test: a fresh database with its migrations, the real HTTP server on a free
port, its Kafka consumers and outbox relay; exactly the app that `serve` runs."""

import asyncio
import importlib
import itertools
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI

from treffpunkt_devstack.server import InProcessServer
from treffpunkt_shared.contracts.staff import Membership
from treffpunkt_shared.db import connect, database_dsn
from treffpunkt_shared.http_server import server_config
from treffpunkt_shared.migrations import migrate
from treffpunkt_shared.settings import ServiceSettings
from treffpunkt_shared.staff_access import create_token

from .staff_tokens import StaffIssuer

SETTINGS_CLASSES = {
    "catalog": "catalog.settings:CatalogSettings",
    "registration": "registration.settings:RegistrationSettings",
    "notification": "notification.settings:NotificationSettings",
    "staff": "staff.settings:StaffSettings",
}

_database_numbers = itertools.count(1)
_templates: set[str] = set()


def _load(reference: str) -> Any:
    module, name = reference.split(":")
    return getattr(importlib.import_module(module), name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningService:
    name: str
    settings: ServiceSettings
    app: FastAPI
    server: uvicorn.Server
    task: asyncio.Task
    issuer: StaffIssuer | None = None
    client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=10)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    @property
    def dsn(self) -> str:
        return database_dsn(self.settings.database_url, self.settings.database)

    async def create_token(self, *, can_write: bool = True, organisation_id: UUID | None = None,
                           name: str | None = None) -> str:
        """A machine token, as `create-token` makes it: for everything, or (`organisation_id`) one organisation."""
        name = name or f"test-{'write' if can_write else 'read'}{f'-{organisation_id}' if organisation_id else ''}"
        conn = await connect(self.dsn)
        try:
            return await create_token(conn, name, can_write=can_write, organisation_id=organisation_id)
        finally:
            await conn.close()

    async def token_headers(self, **options: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.create_token(**options)}"}

    def account_headers(self, *memberships: Membership, **options: Any) -> dict[str, str]:
        """The bearer header of a staff account's access token for this service (see tests/staff_tokens.py)."""
        assert self.issuer is not None, "started without a staff issuer"
        return self.issuer.headers(self.name, *memberships, **options)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        """Read the service's database directly (to prove what was or was not stored)."""
        conn = await connect(self.dsn)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    async def stop(self) -> None:
        await self.client.aclose()
        self.server.should_exit = True
        await asyncio.wait_for(self.task, 30)


async def _create_database(name: str, settings: ServiceSettings) -> None:
    """A fresh database with the service's schema: migrated once per session into a template, then
    copied (much faster than running the migrations for every test). An existing database is kept."""
    template = f"{name}_template"
    if template not in _templates:
        package = importlib.import_module(name)
        await migrate(Path(package.__file__).parent / "migrations", settings.database_url, template)
        _templates.add(template)
    conn = await connect(database_dsn(settings.database_url, "postgres"))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", settings.database):
            await conn.execute(f'CREATE DATABASE "{settings.database}" TEMPLATE "{template}"')
    finally:
        await conn.close()


async def start_service(name: str, *, postgres_url: str, kafka_servers: list[str], fetch_max_wait_ms: int,
                        mock_broker: bool, app_options: dict[str, Any] | None = None,
                        staff_issuer: StaffIssuer | str | None = None, **overrides: Any) -> RunningService:
    """`overrides` are settings; `app_options` go to the service's `create_app` (a clock, say); `staff_issuer`:
    whose access tokens the service admits (the tests' issuer, or a real staff service's URL)."""
    settings_class = _load(SETTINGS_CLASSES[name])
    port = overrides.pop("http_port", None) or free_port()
    values = {
        "signing_secret": "test-signing-secret-0123456789",
        "database_url": postgres_url,
        "database_name": f"{name}_{next(_database_numbers)}",
        "kafka_bootstrap_servers": kafka_servers,
        "kafka_fetch_max_wait_ms": fetch_max_wait_ms,
        "kafka_mock_broker": mock_broker,
        "http_host": "127.0.0.1",
        "http_port": port,
        "public_base_url": f"http://127.0.0.1:{port}",
    } | ({"staff_issuer": getattr(staff_issuer, "url", staff_issuer)} if staff_issuer else {}) | overrides
    settings = settings_class(**values)
    await _create_database(name, settings)
    app = importlib.import_module(f"{name}.bootstrap").create_app(settings, **(app_options or {}))
    server = InProcessServer(server_config(app, settings))
    task = asyncio.create_task(server.serve(), name=f"{name}-server")
    while not server.started:
        if task.done():
            task.result()  # raises what kept it from starting
            raise RuntimeError(f"{name} stopped while starting")
        await asyncio.sleep(0.02)
    return RunningService(name, settings, app, server, task,
                          staff_issuer if isinstance(staff_issuer, StaffIssuer) else None)
