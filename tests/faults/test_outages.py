"""Outages in the middle of a rush: the SMTP server, the broker, PostgreSQL. Intake goes on where it
can (the outbox holds what the broker cannot take yet), and once the part is back everything
completes: nothing accepted is lost, no seat is oversold, every email goes out once."""

import asyncio
import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from treffpunkt_devstack.postgres import EmbeddedPostgres

from ..processes import Deployment
from ..waiting import wait_until
from .scenario import start_rush

OUTAGE_SECONDS = 3.0


async def test_the_smtp_server_down_for_a_while(deployment, api, mail, fault_mailbox):
    running = await start_rush(deployment, api)
    await running.reach_the_middle()

    await fault_mailbox.go_down()
    await asyncio.sleep(OUTAGE_SECONDS)
    await fault_mailbox.come_up()

    outcome = await running.finish(mail)
    assert outcome.problems() == []
    [retried] = await deployment.fetch("notification", "SELECT count(*) AS n FROM email WHERE event_id = $1::uuid "
                                       "AND attempts > 1", running.event.id)
    print(f"{retried['n']} email(s) needed more than one attempt")


async def test_the_broker_down_for_a_while(deployment, api, mail, fault_kafka):
    """Apache Kafka is SIGKILLed mid-rush and started again on its data directory; the mock broker
    closes its doors for a while."""
    running = await start_rush(deployment, api)
    await running.reach_the_middle()

    await fault_kafka.go_down()
    down_since = time.perf_counter()
    await asyncio.sleep(OUTAGE_SECONDS)
    back_at = time.perf_counter()
    await fault_kafka.come_up()

    outcome = await running.finish(mail)
    assert outcome.problems() == []
    during = [a for a in running.rush.attempts if a.due >= down_since and a.answered <= back_at]
    assert during, "registrations were posted while the broker was down"
    assert all(a.accepted and not a.failed_tries for a in during), "the outbox lets POSTs succeed without the broker"
    print(f"{len(during)} POST(s) accepted while the broker was down")


async def test_postgresql_restarted(deployment: Deployment, api, mail, postgres):
    if postgres.embedded is None:
        pytest.skip("restarts PostgreSQL: needs the embedded one (DATABASE_URL names another)")
    running = await start_rush(deployment, api)
    await running.reach_the_middle()
    everyone = deployment.replicas("catalog") + deployment.replicas("registration") + deployment.replicas("notification")

    await _stop_postgres(postgres.embedded.data_dir)
    try:
        async def all_report_not_ready() -> bool:
            return all(await asyncio.gather(*(_reports(p, 503) for p in everyone)))

        await wait_until(all_report_not_ready, timeout=20, what="every service answering /readyz with 503")
        await asyncio.sleep(OUTAGE_SECONDS)
    finally:
        await asyncio.to_thread(postgres.embedded.restart)  # from stopped, pg_ctl restart starts it

    async def all_ready() -> bool:
        return all(await asyncio.gather(*(_reports(p, 200) for p in everyone)))

    await wait_until(all_ready, timeout=60, what="every service ready again after the restart")
    outcome = await running.finish(mail)
    assert outcome.problems() == []
    refused = sorted({f for a in running.rush.attempts for f in a.failed_tries})
    print(f"POSTs tried again while the database was down answered: {refused}")


async def _reports(process, status: int) -> bool:
    return await process.readiness() == status


async def _stop_postgres(data_dir: Path) -> None:
    """A fast shutdown (SIGINT to the postmaster, what `pg_ctl stop -m fast` sends); restart() brings it back."""
    pid = _postmaster_pid(data_dir)
    os.kill(pid, signal.SIGINT)
    await wait_until(lambda: _gone(pid), timeout=30, what="PostgreSQL stopped")


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


async def _gone(pid: int) -> bool:
    """Ended: no such process, or one that only waits for its parent to collect its exit status."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def test_the_embedded_postgresql_stops_after_a_restart(tmp_path):
    """A restart starts a new postmaster: stopping must end that one, or every session that restarts
    PostgreSQL (test_postgresql_restarted) leaves a server behind."""
    server = EmbeddedPostgres(tmp_path / "postgres", delete_on_stop=True)
    server.restart()
    restarted = _postmaster_pid(server.data_dir)
    server.stop()

    try:
        # pg_ctl's stop returns once the pid file is gone; the process itself ends a moment later.
        await wait_until(lambda: _gone(restarted), timeout=10, what="the restarted PostgreSQL stopped")
    finally:
        if not await _gone(restarted):  # the test leaves nothing behind either way
            os.kill(restarted, signal.SIGQUIT)
