"""The inbox: a consumer records the ids of the messages it handled in the transaction of their effect.

A redelivered message (after a crash, a rebalance or a replay of the topic) finds its id already
recorded and changes nothing.
"""

from collections.abc import Sequence
from uuid import UUID

import asyncpg


async def claim(conn: asyncpg.Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
    """Record `event_ids` as handled by `consumer`; returns those not handled before."""
    rows = await conn.fetch(
        """
        INSERT INTO inbox_message (consumer, event_id)
        SELECT $1, unnest($2::uuid[])
        ON CONFLICT ON CONSTRAINT inbox_message_pkey DO NOTHING
        RETURNING event_id
        """,
        consumer,
        list(event_ids),
    )
    return {row["event_id"] for row in rows}
