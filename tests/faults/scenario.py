"""The rush every fault test runs: a few hundred registrations at a steady rate into two sessions
that fill up (seats, then waiting lists, then refusals), with the fault injected in the middle."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import uuid4

from ..processes import Deployment
from .invariants import MailIndex, Outcome, collect, stored_listing, wait_settled
from .rush import Api, Attempt, Rush, RushEvent, create_event

SESSIONS = [(60, 20), (60, 20)]  # (seats, waiting-list places): 120 confirmed, 40 waitlisted, the rest refused
REGISTRATIONS = 240
RATE = 60.0  # per second: the rush lasts four seconds, long enough to be hit in the middle
FAULT_AFTER = 60  # accepted registrations


@dataclass
class RunningRush:
    deployment: Deployment
    api: Api
    event: RushEvent
    rush: Rush
    task: asyncio.Task[list[Attempt]]

    async def reach_the_middle(self) -> None:
        await self.rush.wait_accepted(FAULT_AFTER)

    async def finish(self, mail: MailIndex, *, timeout: float = 120.0) -> Outcome:
        """Wait for the last answer, then until everything settled (or `timeout`); what came of it."""
        attempts = await self.task
        registrations = stored_listing(self.deployment, self.event)
        await wait_settled(registrations, self.event, attempts, mail, timeout=timeout)
        outcome = await collect(self.api, registrations, self.event, attempts, mail)
        print(f"\n{outcome.summary()}")
        return outcome


async def start_rush(deployment: Deployment, api: Api, registration_urls: Sequence[str] | None = None) -> RunningRush:
    tag = uuid4().hex[:8]
    event = await create_event(api, sessions=SESSIONS, tag=tag)
    rush = Rush(registration_urls or [api.registration], event, count=REGISTRATIONS, concurrency=20, rate=RATE,
                tag=tag)
    return RunningRush(deployment, api, event, rush, asyncio.create_task(rush.run(), name=f"rush-{tag}"))
