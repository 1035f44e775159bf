"""Rate limits counted in PostgreSQL: a fixed window per key (a client address, a recipient address, a
machine client's token, a staff account), and a refusal once a key has had its allowance. Each service
that limits something has the `rate_limit` table (`RATE_LIMITS_V1`) in its own database and says in its
own words why it refuses (see `Refusal`).

In PostgreSQL rather than in the process: operators scale the services to several replicas (by hand
for a rush, or KEDA), and a load balancer spreads one client's requests over them; counters in each
process would allow the limit once per replica and forget it at every restart. The service's own
database is the same for every replica: one statement more per limited request (an upsert of a row per
key). The well-kept library for rate limits in Python (`limits`, under slowapi) keeps its counters in
memory, Redis, Memcached or MongoDB, not PostgreSQL, and Redis would be a piece of infrastructure for
this alone.

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

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 60.0

# `key` is a hash (no personal data kept).
RATE_LIMITS_V1 = """
CREATE TABLE rate_limit (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    hits integer NOT NULL,
    CONSTRAINT rate_limit_pkey PRIMARY KEY (key, window_start)
);
"""

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
    kind: str  # what the key is (client, token, recipient, ...): also the caller's label for its refusal and metric
    value: str
    allowed: int

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.kind}:{self.value}".encode()).hexdigest()


@dataclass(frozen=True)
class Refusal:
    """A limit that has had its allowance, and how long until its window is over."""

    limit: Limit
    retry_after_seconds: int


def _window_start(now: datetime, window_seconds: int) -> datetime:
    return datetime.fromtimestamp(now.timestamp() // window_seconds * window_seconds, UTC)


def _refusal(limits: list[Limit], hits: dict[str, int], start: datetime, window_seconds: int, now: datetime,
             over: Callable[[int, int], bool]) -> Refusal | None:
    for limit in limits:
        if over(hits.get(limit.key, 0), limit.allowed):
            seconds = max(1, math.ceil((start + timedelta(seconds=window_seconds) - now).total_seconds()))
            return Refusal(limit, seconds)
    return None


async def count(db: asyncpg.Pool | asyncpg.Connection, limits: list[Limit], *, window_seconds: int, now: datetime,
                idempotency_key: str | None = None) -> Refusal | None:
    """Count one more request against each of `limits` (not a repeated one: same `idempotency_key`); the first
    limit that this request takes past its allowance, if any."""
    start = _window_start(now, window_seconds)
    request = Limit("request", idempotency_key, 1).key if idempotency_key is not None else None
    rows = await db.fetch(_COUNT, [limit.key for limit in limits], start, request)
    return _refusal(limits, {row["key"]: row["hits"] for row in rows}, start, window_seconds, now,
                    lambda hits, allowed: hits > allowed)


async def used_up(db: asyncpg.Pool | asyncpg.Connection, limits: list[Limit], *, window_seconds: int,
                  now: datetime) -> Refusal | None:
    """The first of `limits` whose allowance is used up in this window, counting nothing: for limits on what
    fails (a wrong password), checked before the attempt and counted (`count`) only when it fails."""
    start = _window_start(now, window_seconds)
    rows = await db.fetch("SELECT key, hits FROM rate_limit WHERE key = ANY($1::text[]) AND window_start = $2",
                          [limit.key for limit in limits], start)
    return _refusal(limits, {row["key"]: row["hits"] for row in rows}, start, window_seconds, now,
                    lambda hits, allowed: hits >= allowed)


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
