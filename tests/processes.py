"""Runs the services as real processes, as a deployment does: `python -m <service> migrate`, then
`serve` with its settings in the environment. A process can be killed outright (SIGKILL), restarted
on its port, or joined by more replicas; `Deployment.stop()` ends every process it ever started.

Each process writes its output to a file in the log folder (a restart appends to it), and every
failure to start names that file, so a crash in a fault test can be read afterwards.
"""

import asyncio
import itertools
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import asyncpg
import httpx

from treffpunkt_devstack.children import die_with_parent
from treffpunkt_devstack.kafka import FETCH_MAX_WAIT_MS
from treffpunkt_shared.db import connect, database_dsn

from .services import SETTINGS_CLASSES, _load, free_port

# The services that run the saga (the staff service takes part in none of it, and has no `create-token`).
SERVICES = tuple(name for name in SETTINGS_CLASSES if name != "staff")
SIGNING_SECRET = "process-test-signing-secret-0123456789"
_deployment_numbers = itertools.count(1)


@dataclass(frozen=True)
class Backends:
    database_url: str
    kafka_servers: Sequence[str]
    mock_broker: bool  # librdkafka's mock cluster: short fetch waits and the client workarounds for it
    smtp_port: int | None = None


def environment(service: str, settings: Mapping[str, Any]) -> dict[str, str]:
    """`settings` as the environment variables the service reads (with its prefix). A name the service
    does not know is an error here: the service itself would ignore it silently."""
    settings_class = _load(SETTINGS_CLASSES[service])
    unknown = set(settings) - set(settings_class.model_fields)
    if unknown:
        raise ValueError(f"{service} has no setting(s) {sorted(unknown)}")
    prefix = settings_class.model_config["env_prefix"]
    return {f"{prefix}{name.upper()}": _env_value(value) for name, value in settings.items()}


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def _tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no output)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class ServiceProcess:
    """One replica of a service: `python -m <service> serve` on a fixed port."""

    def __init__(self, service: str, replica: int, env: dict[str, str], port: int, log_path: Path) -> None:
        self.service = service
        self.replica = replica
        self.port = port
        self.log_path = log_path
        self._env = env
        self._process: asyncio.subprocess.Process | None = None
        self.starts = 0

    def __repr__(self) -> str:
        return f"<{self.name} pid={self.pid} port={self.port}>"

    @property
    def name(self) -> str:
        return f"{self.service}-{self.replica}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self, *, ready_within: float = 60.0) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is running already")
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts} of {self.name} on port {self.port} ---\n".encode())
            log.flush()
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.service, "serve", env=self._env, stdout=log, stderr=log,
                preexec_fn=die_with_parent,
            )
        await self.wait_ready(ready_within)

    async def wait_ready(self, timeout: float = 60.0) -> None:
        try:
            async with asyncio.timeout(timeout):
                while await self.readiness() != 200:
                    if not self.running:
                        raise RuntimeError(f"{self.name} exited with {self._process.returncode}:\n{_tail(self.log_path)}")
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise RuntimeError(f"{self.name} not ready within {timeout}s; see {self.log_path}:\n"
                               f"{_tail(self.log_path)}") from None

    async def readiness(self) -> int | None:
        """The status of `/readyz` (200 ready, 503 not), or None when nothing answers."""
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                return (await client.get(f"{self.base_url}/readyz")).status_code
        except httpx.TransportError:
            return None

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup; as a crash or the OOM killer would end it."""
        if self.running:
            self._process.send_signal(signal.SIGKILL)
        if self._process is not None:
            await self._process.wait()

    async def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (a graceful shutdown), then SIGKILL should it not end in time."""
        if not self.running:
            return
        self._process.terminate()
        try:
            await asyncio.wait_for(self._process.wait(), timeout)
        except TimeoutError:
            await self.kill()

    async def restart(self) -> None:
        """Start it again on the same port (after `kill` or `stop`)."""
        await self.start()


class Deployment:
    """The services as processes against `backends`, each with its own fresh database, all replicas of
    a service sharing it (and its Kafka consumer group).

    `settings` add to or override each service's settings, e.g.
    `{"notification": {"sender_poll_seconds": 0.05}}`.
    """

    def __init__(self, backends: Backends, log_dir: Path, *, settings: Mapping[str, Mapping[str, Any]] | None = None,
                 database_prefix: str | None = None) -> None:
        self.backends = backends
        self.log_dir = log_dir
        self._settings = settings or {}
        prefix = database_prefix or f"proc{os.getpid()}_{next(_deployment_numbers)}"
        self.databases = {service: f"{prefix}_{service}" for service in SERVICES}
        self.processes: list[ServiceProcess] = []
        self.tokens: dict[str, str] = {}
        log_dir.mkdir(parents=True, exist_ok=True)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.stop()

    def settings(self, service: str, port: int | None = None) -> dict[str, Any]:
        values: dict[str, Any] = {
            "database_url": self.backends.database_url,
            "database_name": self.databases[service],
            "kafka_bootstrap_servers": list(self.backends.kafka_servers),
            "kafka_mock_broker": self.backends.mock_broker,
        }
        if self.backends.mock_broker:
            values["kafka_fetch_max_wait_ms"] = FETCH_MAX_WAIT_MS
        if port is not None:
            values |= {"http_host": "127.0.0.1", "http_port": port, "public_base_url": f"http://127.0.0.1:{port}"}
        if service == "registration":
            values["signing_secret"] = SIGNING_SECRET
        if service == "notification" and self.backends.smtp_port is not None:
            values |= {"smtp_host": "127.0.0.1", "smtp_port": self.backends.smtp_port}
        return values | dict(self._settings.get(service, {}))

    def _env(self, service: str, port: int | None = None) -> dict[str, str]:
        return os.environ | environment(service, self.settings(service, port))

    async def prepare(self) -> None:
        """Create and migrate every service's database, then one staff token per service."""
        await asyncio.gather(*(self.command(service, "migrate") for service in SERVICES))
        created = await asyncio.gather(*(self.command(service, "create-token", "process-tests") for service in SERVICES))
        self.tokens = {service: output.strip().splitlines()[-1] for service, output in zip(SERVICES, created, strict=True)}

    async def command(self, service: str, *args: str) -> str:
        """Run `python -m <service> ARGS` to its end; its output (the log file gets it too)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", service, *args, env=self._env(service),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await process.communicate()
        with (self.log_dir / f"{service}-commands.log").open("ab") as log:
            log.write(f"--- {service} {' '.join(args)}: exit {process.returncode} ---\n".encode() + stderr + stdout)
        if process.returncode != 0:
            raise RuntimeError(f"{service} {' '.join(args)} failed ({process.returncode}):\n"
                               f"{stderr.decode(errors='replace')[-3000:]}")
        return stdout.decode()

    async def start(self, service: str, replicas: int = 1) -> list[ServiceProcess]:
        """Start `replicas` more processes of `service` and wait until each is ready."""
        first = sum(1 for p in self.processes if p.service == service) + 1
        started = []
        for replica in range(first, first + replicas):
            port = free_port()
            process = ServiceProcess(service, replica, self._env(service, port), port,
                                     self.log_dir / f"{service}-{replica}.log")
            self.processes.append(process)
            started.append(process)
        await asyncio.gather(*(process.start() for process in started))
        return started

    async def start_all(self) -> None:
        await asyncio.gather(*(self.start(service) for service in SERVICES))

    def replicas(self, service: str) -> list[ServiceProcess]:
        """The running processes of `service`, oldest first."""
        return [p for p in self.processes if p.service == service and p.running]

    def url(self, service: str) -> str:
        return self.replicas(service)[0].base_url

    def staff_headers(self, service: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[service]}"}

    def dsn(self, service: str) -> str:
        return database_dsn(self.backends.database_url, self.databases[service])

    async def fetch(self, service: str, query: str, *args: Any) -> list[asyncpg.Record]:
        """Read a service's database directly (what the service stored, whatever its API shows)."""
        conn = await connect(self.dsn(service))
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    async def stop(self) -> None:
        """End every process this deployment started: SIGTERM, then SIGKILL for the ones that linger."""
        await asyncio.gather(*(process.stop() for process in self.processes))
