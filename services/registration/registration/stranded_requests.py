"""No registration stays pending forever: a registration still pending `pending_repeat_seconds` after its seat
request (or after the last repeat) has the request published again, through the outbox.

A request or its decision can be lost whatever the outbox guarantees: a broker that forgot it (the mock
broker stopped with `make dev`, a Kafka data directory removed, a topic's retention passed while the catalog
was away), or a request dead-lettered by a catalog that could not handle it then. The repeat is a new message
(the catalog's inbox would drop the old id unread); the catalog's record of decided registrations makes it
harmless: a registration that holds a seat or a waiting-list place gets that decision announced again, and a
decided registration ignores a decision. Replicas share the work: each round locks the rows it repeats
(`SKIP LOCKED`), and the repeat is recorded in `updated_at`, so the next repeat of a row is a whole period later.

A registration is pending for long also when nothing is lost: the catalog works through a queue (a rush),
or is away, and its request waits in Kafka. A repeat would only add to the queue, so a round repeats
nothing while the catalog has not read all of the registration topic, or this service all of the seat
topic (their consumer groups' committed offsets against the topics' ends).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC, RegistrationRequested
from treffpunkt_shared.contracts.seats import SEAT_TOPIC
from treffpunkt_shared.messaging.offsets import offsets
from treffpunkt_shared.messaging.outbox import enqueue_many

from .metrics import SEAT_REQUESTS_REPEATED

log = logging.getLogger(__name__)

BATCH = 500
CHECK_TIMEOUT_SECONDS = 10.0
# Who must have read what before a pending registration counts as stranded: (consumer group, topic); each
# service's consumer group is named after the service (treffpunkt_shared.messaging.consumer.subscribe).
READ_BEFORE_REPEATING = (("catalog", REGISTRATION_TOPIC), ("registration", SEAT_TOPIC))


async def still_unread(bootstrap_servers: list[str]) -> dict[str, int]:
    """The messages each group of `READ_BEFORE_REPEATING` has yet to read (the groups that have some)."""
    async with offsets(bootstrap_servers) as broker:
        unread = {f"{group} on {topic}": await broker.unread(group, topic) for group, topic in READ_BEFORE_REPEATING}
    return {reader: count for reader, count in unread.items() if count > 0}


async def repeat_stranded_requests(pool: asyncpg.Pool, older_than_seconds: float) -> int:
    """Publish the seat request again for up to `BATCH` registrations pending longer than `older_than_seconds`
    since their request or its last repeat; how many."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            """
            WITH stranded AS (
                SELECT id FROM registration
                WHERE status = 'pending' AND updated_at < now() - make_interval(secs => $1)
                ORDER BY updated_at LIMIT $2
                FOR UPDATE SKIP LOCKED
            )
            UPDATE registration r SET updated_at = now() FROM stranded WHERE r.id = stranded.id
            RETURNING r.id, r.event_id, r.session_id
            """,
            older_than_seconds, BATCH,
        )
        await enqueue_many(conn, [
            (RegistrationRequested(registration_id=row["id"], event_id=row["event_id"], session_id=row["session_id"]),
             str(row["id"]))
            for row in rows
        ], producer="registration")
    if rows:
        SEAT_REQUESTS_REPEATED.inc(len(rows))
        # Ids only: which registrations, never who registered.
        log.warning("seat requests published again for %d registration(s) pending for more than %.0fs: %s",
                    len(rows), older_than_seconds, ", ".join(str(row["id"]) for row in rows[:20]))
    return len(rows)


def stranded_request_repeater(pool: Callable[[], asyncpg.Pool], bootstrap_servers: list[str],
                              older_than_seconds: float) -> Callable[[], Awaitable[None]]:
    """The background work for the runtime: a round every quarter of the period (at most every 15 s);
    `pool` is called for each round (the runtime's pool exists once the service has started)."""
    interval = min(older_than_seconds / 4, 15.0)

    async def run() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                if unread := await asyncio.wait_for(still_unread(bootstrap_servers), CHECK_TIMEOUT_SECONDS):
                    log.debug("not repeating seat requests: messages still to be read (%s)", unread)
                    continue
                while await repeat_stranded_requests(pool(), older_than_seconds) >= BATCH:
                    pass
            except Exception as exc:  # the broker or the database away: the next round tries again
                log.warning("looking for stranded registrations failed, trying again in %.0fs: %r", interval, exc)

    return run
