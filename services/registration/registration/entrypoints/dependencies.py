"""What the routes take from the running app. `async def`: FastAPI runs a plain `def` dependency in its
thread pool, and that hand-off costs more than the lookup."""

from typing import Annotated

from fastapi import Depends, Header, Request

from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.languages import accepted_language

from ..adapters.decision_waiter import DecisionWaiter
from ..links import Links
from ..settings import RegistrationSettings


async def _links(request: Request) -> Links:
    return request.app.state.links


async def _waiter(request: Request) -> DecisionWaiter:
    return request.app.state.waiter


async def _settings(request: Request) -> RegistrationSettings:
    return request.app.state.runtime.settings


async def _answer_language(accept_language: Annotated[str | None, Header(
        description="The language of error messages (de or en; German if neither is accepted).")] = None) -> str:
    return accepted_language(accept_language)


Pool = DatabasePool
LinksDep = Annotated[Links, Depends(_links)]
Waiter = Annotated[DecisionWaiter, Depends(_waiter)]
Settings = Annotated[RegistrationSettings, Depends(_settings)]
AnswerLanguage = Annotated[str, Depends(_answer_language)]
