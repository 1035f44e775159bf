"""Publishing the outbox again when the broker has lost what it was given.

A broker can forget: the mock broker of `make dev` keeps everything in memory and starts empty, and a Kafka
whose data directory was removed starts empty too. The outbox rows are marked published, so nobody would ask
again, and a message the others had not read yet (a request, a decision, what an email is made from) would
be lost. At its start a service looks at the topics it has published to: if every partition of such a
topic is empty (its end offsets 0, which on Kafka only a new topic has), the rows published to it within
the retention of our topics are made unpublished again, and the relay publishes them in their order, with
their own message ids: the consumers' inboxes drop those they had handled.
"""

import logging
from collections.abc import Sequence

import asyncpg

from .offsets import offsets

log = logging.getLogger(__name__)

REPLAY_DAYS = 7  # the retention of the topics with retention (topics.py)


async def empty_topics(bootstrap_servers: Sequence[str], topics: Sequence[str]) -> list[str]:
    """Those of `topics` that exist and hold no message at all."""
    async with offsets(bootstrap_servers) as broker:
        return [topic for topic in topics
                if (ends := await broker.ends(topic)) is not None and all(end == 0 for end in ends.values())]


async def republish_what_the_broker_lost(pool: asyncpg.Pool, bootstrap_servers: Sequence[str]) -> int:
    """Make the rows published to topics that are now empty unpublished again; how many."""
    published = [row["topic"] for row in await pool.fetch(
        "SELECT DISTINCT topic FROM outbox_message WHERE published_at IS NOT NULL "
        "AND created_at > now() - make_interval(days => $1)", REPLAY_DAYS)]
    if not published:
        return 0
    lost = await empty_topics(bootstrap_servers, published)
    if not lost:
        return 0
    count = int((await pool.execute(
        "UPDATE outbox_message SET published_at = NULL WHERE published_at IS NOT NULL AND topic = ANY($1::text[]) "
        "AND created_at > now() - make_interval(days => $2)", lost, REPLAY_DAYS)).split()[-1])
    log.warning("the broker has none of the %d message(s) published to %s: publishing them again",
                count, ", ".join(lost))
    return count
