"""What the routes take from the running app. `async def`: FastAPI runs a plain `def` dependency in its
thread pool, and that hand-off costs more than the lookup."""

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from ..adapters.decision_waiter import DecisionWaiter
from ..links import Links
from ..settings import RegistrationSettings


async def _pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


async def _links(request: Request) -> Links:
    return request.app.state.links


async def _waiter(request: Request) -> DecisionWaiter:
    return request.app.state.waiter


async def _settings(request: Request) -> RegistrationSettings:
    return request.app.state.runtime.settings


Pool = Annotated[asyncpg.Pool, Depends(_pool)]
LinksDep = Annotated[Links, Depends(_links)]
Waiter = Annotated[DecisionWaiter, Depends(_waiter)]
Settings = Annotated[RegistrationSettings, Depends(_settings)]
