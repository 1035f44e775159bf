"""Rate limits on registrations, counted in PostgreSQL: a fixed window per key (a client address, a
recipient address, a machine client's token), and a refusal once a key has had its allowance.

In PostgreSQL rather than in the process: operators scale the registration service to several
replicas (by hand for a rush, or KEDA), and a load balancer spreads one client's requests over them;
counters in each process would allow the limit once per replica and forget it at every restart. The
service's own database is the same for every replica and is written by each registration anyway:
one statement more per registration (an upsert of up to three rows). The well-kept library for rate
limits in Python (`limits`, under slowapi) keeps its counters in memory, Redis, Memcached or MongoDB,
not PostgreSQL, and Redis would be a piece of infrastructure for this alone.

A fixed window lets a client use its allowance at the end of one window and again at the start of
the next (twice the limit in a short while at most); for limits against abuse that is enough, and it
keeps the count one row per key and window. Keys are hashes: the table holds no personal data, and
its rows are deleted once their window is over."""

import asyncio
import hashlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from treffpunkt_shared.errors import TooManyRequests

from ..metrics import REGISTRATIONS_RATE_LIMITED

log = logging.getLogger(__name__)

MESSAGES = {
    "client": "Too many registrations from your address. Please try again in {seconds} seconds.",
    "token": "Too many registrations with this token. Please try again in {seconds} seconds.",
    "recipient": "Too many registrations for this email address. Please try again in {seconds} seconds.",
    "links_client": "Too many requests for links from your address. Please try again in {seconds} seconds.",
    "links_recipient": "Links were sent to this address a short while ago.",  # never shown: see service_layer.links
}
PURGE_EVERY_SECONDS = 60.0

# $3: the request's own key (from its Idempotency-Key), or NULL. A request seen before in the window
# (a retry, a double click) is not counted again, but it is refused as long as the limits are reached, so
# that sending each request twice does not get past them.
_COUNT = """
WITH first_time AS (
    INSERT INTO rate_limit (key, window_start, hits) SELECT $3, $2, 1 WHERE $3::text IS NOT NULL
    ON CONFLICT (key, window_start) DO NOTHING RETURNING key
), counted AS (
    INSERT INTO rate_limit (key, window_start, hits)
    SELECT key, $2, 1 FROM unnest($1::text[]) AS key WHERE $3::text IS NULL OR EXISTS (SELECT FROM first_time)
    ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + 1
    RETURNING key, hits
)
SELECT key, hits FROM counted
UNION ALL
SELECT key, hits FROM rate_limit
WHERE key = ANY($1::text[]) AND window_start = $2 AND NOT EXISTS (SELECT FROM counted)
"""


@dataclass(frozen=True)
class Limit:
    kind: str  # client, token, recipient, links_client or links_recipient: what the key is, and the metric's label
    value: str
    allowed: int

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.kind}:{self.value}".encode()).hexdigest()


async def admit(pool: asyncpg.Pool, limits: list[Limit], *, window_seconds: int, now: datetime,
                idempotency_key: str | None = None) -> None:
    """Count one more request against each of `limits` (not a repeated one: same `idempotency_key`);
    TooManyRequests if any has had its allowance."""
    window = timedelta(seconds=window_seconds)
    start = datetime.fromtimestamp(now.timestamp() // window_seconds * window_seconds, UTC)
    request = Limit("request", idempotency_key, 1).key if idempotency_key is not None else None
    rows = await pool.fetch(_COUNT, [limit.key for limit in limits], start, request)
    hits = {row["key"]: row["hits"] for row in rows}
    for limit in limits:
        if hits.get(limit.key, 0) > limit.allowed:
            REGISTRATIONS_RATE_LIMITED.labels(limit.kind).inc()
            seconds = max(1, math.ceil((start + window - now).total_seconds()))
            raise TooManyRequests(MESSAGES[limit.kind].format(seconds=seconds), retry_after_seconds=seconds)


def purge_expired(pool: Callable[[], asyncpg.Pool], window_seconds: int) -> Callable[[], Awaitable[None]]:
    """Background work: delete the counters of windows that are over, every minute."""

    async def run() -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY_SECONDS)
            try:
                await pool().execute("DELETE FROM rate_limit WHERE window_start < $1",
                                     datetime.now(UTC) - timedelta(seconds=window_seconds))
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("could not delete expired rate limit counters (%s); trying again later",
                            type(exc).__name__)

    return run
