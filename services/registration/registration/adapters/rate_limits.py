"""The registration service's rate limits (counted by `treffpunkt_shared.rate_limits`): per client
address, machine client, recipient address, and on the "send me my links again" requests; the
refusals in its words, counted in its metric."""

from datetime import datetime

import asyncpg

from treffpunkt_shared.errors import TooManyRequests
from treffpunkt_shared.rate_limits import Limit, count

from ..metrics import REGISTRATIONS_RATE_LIMITED

MESSAGES = {
    "client": "Too many registrations from your address. Please try again in {seconds} seconds.",
    "token": "Too many registrations with this token. Please try again in {seconds} seconds.",
    "recipient": "Too many registrations for this email address. Please try again in {seconds} seconds.",
    "links_client": "Too many requests for links from your address. Please try again in {seconds} seconds.",
    "links_recipient": "Links were sent to this address a short while ago.",  # never shown: see service_layer.links
}


async def admit(db: asyncpg.Pool | asyncpg.Connection, limits: list[Limit], *, window_seconds: int, now: datetime,
                idempotency_key: str | None = None) -> None:
    """Count one more request against each of `limits` (not a repeated one: same `idempotency_key`);
    TooManyRequests if any has had its allowance."""
    refusal = await count(db, limits, window_seconds=window_seconds, now=now, idempotency_key=idempotency_key)
    if refusal is not None:
        REGISTRATIONS_RATE_LIMITED.labels(refusal.limit.kind).inc()
        seconds = refusal.retry_after_seconds
        raise TooManyRequests(MESSAGES[refusal.limit.kind].format(seconds=seconds), retry_after_seconds=seconds)
