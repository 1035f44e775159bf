"""Client-side workarounds for librdkafka's mock cluster, applied only against it.

The mock cluster answers INVALID_REQUEST to a follower's SyncGroup that arrives after the
leader's, and aiokafka then gives up joining. Holding the leader's SyncGroup back a little lets
the followers' requests arrive first (measured: no failure over a 25-minute churn soak with 0.3 s).
A real Kafka needs none of this: services turn it on with `KAFKA_MOCK_BROKER=true`, which only
the embedded stack sets.
"""

import asyncio
import functools

from aiokafka.consumer.group_coordinator import CoordinatorGroupRebalance

LEADER_SYNC_DELAY_SECONDS = 0.3


def apply() -> None:
    original = CoordinatorGroupRebalance._on_join_leader
    if getattr(original, "delays_leader_sync", False):
        return

    @functools.wraps(original)
    async def delayed_leader_sync(self, response):
        await asyncio.sleep(LEADER_SYNC_DELAY_SECONDS)
        return await original(self, response)

    delayed_leader_sync.delays_leader_sync = True
    CoordinatorGroupRebalance._on_join_leader = delayed_leader_sync
