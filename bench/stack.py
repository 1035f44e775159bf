"""What the benchmark runs against: the whole system started on this machine for the run (embedded
PostgreSQL, a Kafka broker as `make dev` finds one: Apache Kafka on the local JVM by default, the
services as separate processes), or services already running at given URLs. Either way the benchmark
receives the emails itself, with its own SMTP server."""

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from tests.faults.invariants import Listing, staff_listing, stored_listing
from tests.faults.rush import RUSH_RATE_LIMITS, Api, RushEvent
from tests.processes import SERVICES, Backends, Deployment
from treffpunkt_devstack.brokers import Broker, start_broker
from treffpunkt_devstack.mailbox import Mailbox
from treffpunkt_devstack.postgres import EmbeddedPostgres
from treffpunkt_shared.db import database_dsn

from .resources import Members, process_and_children

DatabaseStats = Callable[[], Awaitable[dict[str, dict[str, int]]]]


@dataclass
class Stack:
    api: Api
    mailbox: Mailbox
    registration_urls: list[str]
    listing: Callable[[RushEvent], Listing]
    process_groups: dict[str, Members] = field(default_factory=dict)  # for CPU and memory
    python_processes: dict[str, int] = field(default_factory=dict)  # for the profiler: name -> pid
    database_stats: DatabaseStats | None = None
    broker: str = ""  # the kind of Kafka broker the run used (brokers.py), where the benchmark started it
    notes: list[str] = field(default_factory=list)


def service_settings(notice_window: float) -> dict[str, dict]:
    """The services' defaults, except that the contact persons' notices come every `notice_window`
    seconds (instead of 5 minutes), so the run can wait for them too, and that the rush, all from this
    machine, stays within the rate limits (still counted: their cost is part of the figures)."""
    return {"notification": {"coalescing_window_seconds": notice_window, "notice_poll_seconds": min(1.0, notice_window)},
            "registration": RUSH_RATE_LIMITS}


@contextlib.asynccontextmanager
async def local_stack(log_dir: Path, *, replicas: int, smtp_port: int, notice_window: float,
                      broker: str) -> AsyncIterator[Stack]:
    """`broker`: as TREFFPUNKT_BROKER (`any`: Apache Kafka where it can run, `kafka`, `mock`)."""
    with tempfile.TemporaryDirectory(prefix="treffpunkt-bench-") as scratch:
        postgres = EmbeddedPostgres(Path(scratch) / "postgres", delete_on_stop=True)
        kafka = None
        try:
            kafka = await asyncio.to_thread(start_broker, Path(scratch) / "kafka", log_dir / "kafka.log", choice=broker)
            async with Mailbox(host="127.0.0.1", smtp_port=smtp_port, web_port=None) as mailbox:
                backends = Backends(postgres.url, kafka.bootstrap_servers, mock_broker=kafka.is_mock,
                                    smtp_port=mailbox.smtp_port)
                async with Deployment(backends, log_dir, settings=service_settings(notice_window),
                                      database_prefix="bench") as deployment:
                    await deployment.prepare()
                    for service in SERVICES:
                        await deployment.start(service, replicas)
                    yield _local(deployment, mailbox, postgres, kafka, replicas)
        finally:
            if kafka is not None:
                await asyncio.to_thread(kafka.stop)
            postgres.stop()


def _local(deployment: Deployment, mailbox: Mailbox, postgres: EmbeddedPostgres, kafka: Broker, replicas: int) -> Stack:
    processes = deployment.processes
    postmaster = int((postgres.data_dir / "postmaster.pid").read_text().splitlines()[0])

    async def database_stats() -> dict[str, dict[str, int]]:
        conn = await asyncpg.connect(database_dsn(postgres.url, "postgres"))
        try:
            rows = await conn.fetch(
                "SELECT datname, xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched "
                "FROM pg_stat_database WHERE datname = ANY($1::text[])", list(deployment.databases.values()))
        finally:
            await conn.close()
        service_of = {database: service for service, database in deployment.databases.items()}
        return {service_of[row["datname"]]: {k: row[k] for k in row.keys() if k != "datname"} for row in rows}

    return Stack(
        api=Api(deployment.url("catalog"), deployment.url("registration"), deployment.url("notification"),
                deployment.tokens),
        mailbox=mailbox,
        registration_urls=[p.base_url for p in deployment.replicas("registration")],
        listing=lambda event: stored_listing(deployment, event),
        process_groups={service: _pids([p.pid for p in processes if p.service == service]) for service in SERVICES}
        | {"postgres": process_and_children(postmaster)}
        | ({"kafka": process_and_children(kafka.apache.pid)} if kafka.apache is not None else {}),
        python_processes={p.name: p.pid for p in processes},
        database_stats=database_stats,
        broker=kafka.kind,
        notes=[f"services: {replicas} process(es) each, logs in {deployment.log_dir}",
               "PostgreSQL 16 (embedded, pgserver)", f"Kafka: {kafka.description}"
               + (" (its CPU is the bench process's other threads)" if kafka.is_mock else "")],
    )


def _pids(pids: list[int | None]) -> Members:
    return lambda: [pid for pid in pids if pid is not None]


@contextlib.asynccontextmanager
async def given_stack(api: Api, *, smtp_port: int) -> AsyncIterator[Stack]:
    async with Mailbox(host="127.0.0.1", smtp_port=smtp_port, web_port=None) as mailbox:
        yield Stack(api=api, mailbox=mailbox, registration_urls=[api.registration],
                    listing=lambda event: staff_listing(api, event),
                    notes=[f"services at the given URLs; emails expected at 127.0.0.1:{mailbox.smtp_port}",
                           "CPU and memory only of the benchmark's own process"])
