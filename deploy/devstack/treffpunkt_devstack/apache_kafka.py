"""Apache Kafka on this machine: one KRaft node (broker and controller in one JVM), from Maven Central.

`fetch()` has Maven copy the broker and its run-time dependencies, pinned in `deploy/devstack/kafka/pom.xml`,
into `deploy/devstack/kafka/lib` (git ignores it) once; after that it works offline. `ApacheKafka` formats
its data directory on the first start, runs `kafka.Kafka` with a heap and thread counts sized for a 2-core
machine, writes the broker's log to a file, and is ready when the Admin API answers. The JVM is a child
that dies with its parent (SIGTERM, which Kafka answers with a clean shutdown), even when the parent is
SIGKILLed.
"""

import asyncio
import base64
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

from .children import die_with_parent

KAFKA_DIR = Path(__file__).resolve().parents[1] / "kafka"
POM = KAFKA_DIR / "pom.xml"
LIB = KAFKA_DIR / "lib"
LOG4J2_CONFIG = KAFKA_DIR / "log4j2.properties"
_FETCHED_STAMP = LIB / ".fetched-from"  # the pom's digest: a changed pom fetches again

MIN_JAVA = 17
# Serial GC and a small heap: one core's worth of collector for a handful of local clients.
JVM_OPTIONS = ("-Xms64m", "-Xmx384m", "-XX:MaxDirectMemorySize=128m", "-XX:+UseSerialGC",
               "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true")

# One node, for development and tests on a small machine: every replication factor 1, few threads,
# groups that form at once, topics only from the Admin API.
SERVER_PROPERTIES = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "num.network.threads": "2",
    "num.io.threads": "2",
    "background.threads": "2",
    "num.recovery.threads.per.data.dir": "1",
    "num.replica.fetchers": "1",
    "group.coordinator.threads": "1",
    "share.coordinator.threads": "1",
    "log.cleaner.threads": "1",
    "log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024),
    "log.segment.bytes": str(64 * 1024 * 1024),
    "group.initial.rebalance.delay.ms": "0",
    "auto.create.topics.enable": "false",
    "default.replication.factor": "1",
    "min.insync.replicas": "1",
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "6",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "6",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    # After a crash the node comes back as a new incarnation; its old one is fenced after this session.
    "broker.heartbeat.interval.ms": "500",
    "broker.session.timeout.ms": "2000",
    # Deleting a topic (the tests do, between tests) must not wait for a minute before its files go.
    "file.delete.delay.ms": "1000",
}


class Unavailable(Exception):
    """Apache Kafka cannot run here (no Java 17+, no jars and no Maven, a failed fetch): the message says why."""


def java_version(java: str) -> int | None:
    try:
        output = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    # `openjdk version "17.0.15" ...`; old ones say "1.8.0_...".
    quoted = output.split('"')
    if len(quoted) < 2:
        return None
    parts = quoted[1].split(".")
    major = parts[1] if parts[0] == "1" and len(parts) > 1 else parts[0]
    return int(major) if major.isdigit() else None


def find_java() -> str:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java:
        raise Unavailable("no Java (java on the PATH or JAVA_HOME)")
    version = java_version(java)
    if version is None or version < MIN_JAVA:
        raise Unavailable(f"{java} is Java {version or '?'}, Apache Kafka 4 needs {MIN_JAVA} or newer")
    return java


def _pom_digest() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def fetched() -> bool:
    return _FETCHED_STAMP.exists() and _FETCHED_STAMP.read_text().strip() == _pom_digest()


def fetch() -> None:
    """The jars of `pom.xml` in `lib/`, fetched by Maven unless they are there already (one fetch at a
    time: `make dev` and a test run starting together share it)."""
    if fetched():
        return
    with (KAFKA_DIR / ".fetch.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not fetched():
            _fetch()


def _fetch() -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Unavailable("the Apache Kafka jars are not fetched yet and there is no Maven (mvn) to fetch them")
    staging = LIB.with_name("lib.partial")
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", "-DincludeScope=runtime",
         f"-DoutputDirectory={staging}"], capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        last = next((line for line in reversed((result.stdout + result.stderr).splitlines()) if line.strip()), "")
        raise Unavailable(f"fetching Apache Kafka with Maven failed ({last.strip()[:200]})")
    # Whole or not at all: a fetch cut off half-way leaves no lib/ that looks complete.
    shutil.rmtree(LIB, ignore_errors=True)
    staging.rename(LIB)
    _FETCHED_STAMP.write_text(_pom_digest())


def check() -> str:
    """Where Apache Kafka can run: the path of Java, once the jars are there (fetched if needed)."""
    java = find_java()
    fetch()
    return java


def kafka_version() -> str:
    return next((p.stem.removeprefix("kafka_2.13-") for p in LIB.glob("kafka_2.13-*.jar")), "?")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class ApacheKafka:
    """One Apache Kafka node with its data in `data_dir` and its log in `log_path`.

    `port`: the clients' port (a free one if not given or taken; the controller gets another free one).
    `start()` returns once the Admin API answers; `stop()` shuts it down cleanly; `kill()` is SIGKILL;
    `start()` again runs it on the same data and ports.
    """

    def __init__(self, data_dir: Path, log_path: Path, *, port: int | None = None,
                 java: str | None = None) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.java = java or check()
        self.port = port if port is not None and _port_is_free(port) else free_port()
        self.controller_port = free_port()
        self._process: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> list[str]:
        return [f"127.0.0.1:{self.port}"]

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _write_properties(self) -> Path:
        properties = SERVER_PROPERTIES | {
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "log.dirs": str(self.data_dir / "data"),
        }
        path = self.data_dir / "server.properties"
        path.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))
        return path

    def _java(self, main: str, *args: str) -> list[str]:
        return [self.java, *JVM_OPTIONS, f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
                "-cp", str(LIB / "*"), main, *args]

    def _format(self, properties: Path) -> None:
        """Format the storage on the first start (a cluster id of its own); a formatted one is kept."""
        if (self.data_dir / "data" / "meta.properties").exists():
            return
        cluster_id = _cluster_id()
        result = subprocess.run(self._java("kafka.tools.StorageTool", "format", "--cluster-id", cluster_id,
                                           "--config", str(properties)),
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"formatting Kafka's storage in {self.data_dir} failed:\n{result.stdout}{result.stderr}")

    def start(self, timeout: float = 90.0) -> None:
        if self.running:
            raise RuntimeError("Apache Kafka is running already")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        properties = self._write_properties()
        self._format(properties)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(self._java("kafka.Kafka", str(properties)), stdout=log,
                                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             preexec_fn=die_with_parent)
        try:
            asyncio.run(self._wait_ready(timeout))
        except BaseException:
            self.kill()
            raise

    async def _wait_ready(self, timeout: float) -> None:
        from aiokafka.admin import AIOKafkaAdminClient

        deadline = time.monotonic() + timeout
        while True:
            if not self.running:
                raise RuntimeError(f"Apache Kafka exited with {self._process.returncode}; see {self.log_path}")
            if not _accepts(self.port):  # before a client, which would log each refused connection
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Apache Kafka not listening after {timeout:.0f}s; see {self.log_path}")
                await asyncio.sleep(0.2)
                continue
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=5_000)
            try:
                await admin.start()
                await admin.describe_cluster()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Apache Kafka not ready after {timeout:.0f}s; see {self.log_path}") from None
            finally:
                await admin.close()
            await asyncio.sleep(0.3)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (Kafka's controlled shutdown), SIGKILL should it take longer than `timeout`."""
        if not self.running:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: as a crash would end it; its data directory is recovered at the next start."""
        if self.running:
            self._process.kill()
        if self._process is not None:
            self._process.wait()


def _cluster_id() -> str:
    """A cluster id as Kafka's own `Uuid.randomUuid()` makes it: URL-safe base64 of a random UUID, never
    starting with '-' (the storage tool's command line would take it for an option, one time in 64)."""
    while (cluster_id := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")).startswith("-"):
        pass
    return cluster_id
