"""A Kafka wire-protocol broker in this process: librdkafka's mock cluster, through ctypes.

The mock cluster ships inside the `confluent-kafka` wheel. It speaks the real protocol to any
client (aiokafka here), keeps everything in memory, and runs on librdkafka's own threads, so it
serves clients while Python does anything else. What it is not: durable, transactional (Kafka
transactions are not emulated), or large (about 5 MiB per partition; older data is silently
dropped, so a consumer far behind loses messages).
"""

import ctypes
import glob
import os
from collections.abc import Iterable

import confluent_kafka

from treffpunkt_shared.topics import Topic

# How long consumers' fetches wait on the mock broker. It does not wake a waiting fetch when data
# arrives, so the wait is the latency of every hop; but each consumer fetches every wait, and at 10 ms
# the polling of three idle services cost about a third of a core of this 2-core machine (measured
# with `make bench --rate 30`: 50 ms saved that and added about 25 ms to a registration's email).
FETCH_MAX_WAIT_MS = 50

_RD_KAFKA_PRODUCER = 0


def _load_librdkafka() -> ctypes.CDLL:
    package = os.path.dirname(confluent_kafka.__file__)
    candidates = glob.glob(os.path.join(package, os.pardir, "confluent_kafka.libs", "librdkafka*"))
    candidates += glob.glob(os.path.join(package, ".dylibs", "librdkafka*"))  # macOS wheels
    if not candidates:
        raise RuntimeError("librdkafka not found in the confluent-kafka wheel")
    lib = ctypes.CDLL(candidates[0])
    p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    signatures = {
        "rd_kafka_conf_new": (p, []),
        "rd_kafka_conf_set": (i, [p, s, s, s, ctypes.c_size_t]),
        "rd_kafka_new": (p, [i, p, s, ctypes.c_size_t]),
        "rd_kafka_destroy": (None, [p]),
        "rd_kafka_mock_cluster_new": (p, [p, i]),
        "rd_kafka_mock_cluster_destroy": (None, [p]),
        "rd_kafka_mock_cluster_bootstraps": (s, [p]),
        "rd_kafka_mock_topic_create": (i, [p, s, i, i]),
        "rd_kafka_mock_set_controller_id": (i, [p, ctypes.c_int32]),
        "rd_kafka_mock_group_initial_rebalance_delay_ms": (i, [p, ctypes.c_int32]),
        "rd_kafka_mock_broker_set_down": (i, [p, ctypes.c_int32]),
        "rd_kafka_mock_broker_set_up": (i, [p, ctypes.c_int32]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


class EmbeddedKafka:
    """One mock broker (id 1) with the given topics; `stop()` ends it."""

    BROKER_ID = 1

    def __init__(self, topics: Iterable[Topic] = ()) -> None:
        self._lib = _load_librdkafka()
        error = ctypes.create_string_buffer(512)
        conf = self._lib.rd_kafka_conf_new()
        # The handle only hosts the cluster; keep its own chatter out of the logs.
        self._lib.rd_kafka_conf_set(conf, b"log_level", b"0", error, len(error))
        self._handle = self._lib.rd_kafka_new(_RD_KAFKA_PRODUCER, conf, error, len(error))
        if not self._handle:
            raise RuntimeError(f"librdkafka: {error.value.decode()}")
        self._cluster = self._lib.rd_kafka_mock_cluster_new(self._handle, 1)
        if not self._cluster:
            self._lib.rd_kafka_destroy(self._handle)
            raise RuntimeError("librdkafka: could not create the mock cluster")
        # Without a controller aiokafka's admin client fails; the default 3 s delay slows every join.
        self._lib.rd_kafka_mock_set_controller_id(self._cluster, self.BROKER_ID)
        self._lib.rd_kafka_mock_group_initial_rebalance_delay_ms(self._cluster, 0)
        self.bootstrap_servers: list[str] = self._lib.rd_kafka_mock_cluster_bootstraps(self._cluster).decode().split(",")
        for topic in topics:
            self.create_topic(topic.name, topic.partitions)

    def create_topic(self, name: str, partitions: int) -> None:
        # The mock broker does not support CreateTopics requests: topics come from here.
        code = self._lib.rd_kafka_mock_topic_create(self._cluster, name.encode(), partitions, 1)
        if code != 0:
            raise RuntimeError(f"could not create topic {name}: error {code}")

    def set_down(self) -> None:
        """The broker closes its connections and refuses new ones until `set_up()`."""
        self._lib.rd_kafka_mock_broker_set_down(self._cluster, self.BROKER_ID)

    def set_up(self) -> None:
        self._lib.rd_kafka_mock_broker_set_up(self._cluster, self.BROKER_ID)

    def stop(self) -> None:
        if self._cluster:
            self._lib.rd_kafka_mock_cluster_destroy(self._cluster)
            self._cluster = None
        if self._handle:
            self._lib.rd_kafka_destroy(self._handle)
            self._handle = None
