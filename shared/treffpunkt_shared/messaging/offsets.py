"""What the broker holds and what consumer groups have read, through the Admin API: for the checks that
decide whether messages were lost (replay.py) or a registration's request is stranded."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


@dataclass
class Offsets:
    admin: AIOKafkaAdminClient
    consumer: AIOKafkaConsumer  # no group: only for the end offsets

    async def ends(self, topic: str) -> dict[TopicPartition, int] | None:
        """The end offset of each partition of `topic`; None if it does not exist."""
        [description] = await self.admin.describe_topics([topic])
        partitions = [TopicPartition(topic, p["partition"]) for p in description.get("partitions") or ()]
        if description.get("error_code") or not partitions:
            return None
        return await self.consumer.end_offsets(partitions)

    async def unread(self, group: str, topic: str) -> int:
        """How many messages of `topic` consumer group `group` has not committed yet."""
        ends = await self.ends(topic) or {}
        committed = await self.admin.list_consumer_group_offsets(group, partitions=list(ends))
        return sum(end - max(committed[tp].offset if tp in committed else 0, 0) for tp, end in ends.items())


@asynccontextmanager
async def offsets(bootstrap_servers: Sequence[str]) -> AsyncIterator[Offsets]:
    admin = AIOKafkaAdminClient(bootstrap_servers=list(bootstrap_servers))
    consumer = AIOKafkaConsumer(bootstrap_servers=list(bootstrap_servers), group_id=None, enable_auto_commit=False)
    await admin.start()
    try:
        await consumer.start()
        try:
            yield Offsets(admin, consumer)
        finally:
            await consumer.stop()
    finally:
        await admin.close()
