"""SIGKILL in the middle of a rush: of one service (restarted after a moment), or of one of two
replicas of every service (not restarted). Nothing accepted is lost, no seat is oversold, every
email goes out once."""

import asyncio
import time

import pytest

from ..processes import SERVICES
from .scenario import start_rush


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_killed_mid_rush_and_restarted_loses_nothing(deployment, api, mail, service):
    running = await start_rush(deployment, api)
    await running.reach_the_middle()
    [victim] = deployment.replicas(service)

    await victim.kill()
    killed = time.monotonic()
    await asyncio.sleep(1)
    await victim.restart()
    # A figure, not an assertion (tests assert no times): how long the service answered nothing.
    print(f"\n{service}: ready again {time.monotonic() - killed:.1f} s after the kill (restarted after 1 s)")

    outcome = await running.finish(mail)
    assert outcome.problems() == []
    assert outcome.accepted == len(running.rush.attempts)


async def test_two_replicas_of_each_service_one_killed_mid_rush(deployment, api, mail):
    started = await asyncio.gather(*(deployment.start(service) for service in SERVICES))
    second = [replica for replicas in started for replica in replicas]
    running = await start_rush(deployment, api, [p.base_url for p in deployment.replicas("registration")])
    await running.reach_the_middle()

    await asyncio.gather(*(replica.kill() for replica in second))

    outcome = await running.finish(mail)
    assert outcome.problems() == []
    retried = [a for a in running.rush.attempts if a.failed_tries]
    print(f"{len(retried)} POST(s) sent again to the surviving registration replica")
