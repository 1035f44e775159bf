"""A service takes HTTP work while its Kafka consumer is still joining its group, as after a crash:
the broker hands the group on only once the dead member's session has expired. The member holding
the group here is a real consumer in another process, frozen with SIGSTOP: to the broker, a crashed
member whose session has not expired yet. (That consuming starts once the group is free, every test
that runs a service shows; the fault suite does after SIGKILL.)"""

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from typing import ClassVar
from urllib.parse import urlsplit

import pytest
from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC, RegistrationRequested
from treffpunkt_shared.runtime import create_runtime
from treffpunkt_shared.settings import ServiceSettings

# Joins the group with a session far longer than the test, and says so.
MEMBER = """
import asyncio, sys
from aiokafka import AIOKafkaConsumer

async def main():
    consumer = AIOKafkaConsumer(sys.argv[2], bootstrap_servers=sys.argv[1], group_id=sys.argv[3],
                                session_timeout_ms=60_000, heartbeat_interval_ms=1_000)
    await consumer.start()
    print("joined", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


class RuntimeTestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RUNTIME_TEST_", extra="ignore")
    service_name: ClassVar[str] = "runtime-test"


@pytest.fixture
def settings(database, postgres_url, kafka) -> RuntimeTestSettings:
    dsn, _ = database
    return RuntimeTestSettings(database_url=postgres_url, database_name=urlsplit(dsn).path.lstrip("/"),
                               kafka_bootstrap_servers=kafka.bootstrap_servers,
                               kafka_fetch_max_wait_ms=kafka.fetch_max_wait_ms,
                               kafka_mock_broker=kafka.embedded is not None)


@pytest.fixture
async def frozen_member(settings) -> AsyncIterator[asyncio.subprocess.Process]:
    """A member of the service's consumer group, frozen."""
    member = await asyncio.create_subprocess_exec(
        sys.executable, "-c", MEMBER, ",".join(settings.kafka_bootstrap_servers), REGISTRATION_TOPIC,
        settings.service_name, stdout=asyncio.subprocess.PIPE)
    assert await asyncio.wait_for(member.stdout.readline(), 30) == b"joined\n"
    member.send_signal(signal.SIGSTOP)
    yield member
    member.kill()
    await member.wait()


async def test_the_service_is_ready_while_its_consumer_waits_for_the_group_and_stops_from_there(settings, frozen_member):
    runtime = create_runtime(settings)
    runtime.consume({RegistrationRequested: lambda conn, messages, _: asyncio.sleep(0)})

    # The frozen member holds the group for a minute: a start that waited for the join would time out.
    await asyncio.wait_for(runtime.start(), 20)
    assert await runtime.readiness.report() == {"database": "ok", "broker": "ok", "accepting": "ok"}
    assert not runtime.consuming

    await asyncio.wait_for(runtime.stop(), 20)
    assert not runtime.readiness.accepting
    assert runtime.pool.is_closing()
