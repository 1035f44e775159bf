"""Turning the contact persons' waiting notices into emails when their preference says it is time
(see `domain.schedule`): a coalesced notice, a daily digest, or nothing.

Safe with replicas: the notices of a person are locked while one replica queues their email, and
the email's dedup key (the first notice it carries, or the digest's day) admits one email only.
"""

from datetime import datetime, timedelta

import asyncpg

from treffpunkt_shared.contracts.delivery import EmailKind

from ..adapters import contact_notices, emails
from ..adapters.contact_notices import Waiting
from ..domain.model import ContactMode, NewEmail
from ..domain.schedule import digest_day, notice_due


async def queue_due_notices(pool: asyncpg.Pool, *, now: datetime, window: timedelta, digest_hour: int,
                            domain: str) -> int:
    """Queue the notices and digests that are due; how many emails were queued."""
    await contact_notices.drop_unwanted(pool, now)
    queued = 0
    for person in await contact_notices.waiting(pool):
        if person.mode is ContactMode.immediate and notice_due(person.first_noticed_at, now, window):
            queued += await _queue(pool, person, EmailKind.contact_notice, None, now=now, domain=domain)
        elif person.mode is ContactMode.daily and (day := digest_day(person.first_noticed_at, now, digest_hour)):
            queued += await _queue(pool, person, EmailKind.contact_digest, day.isoformat(), now=now, domain=domain)
    return queued


async def _queue(pool: asyncpg.Pool, person: Waiting, kind: EmailKind, occasion: str | None, *, now: datetime,
                 domain: str) -> int:
    async with pool.acquire() as conn, conn.transaction():
        notices = await contact_notices.lock_waiting(conn, person.contact_person_id)
        if not notices:
            return 0  # another replica took them
        latest = notices[-1]  # the name and address the catalog gave most recently
        email = NewEmail(
            kind=kind,
            recipient=latest.contact_email,
            recipient_name=latest.contact_name,
            language=person.language,
            dedup_key=f"{kind}:{person.contact_person_id}:{occasion or notices[0].id}",
            details={"contact_person_id": str(person.contact_person_id)},
        )
        queued = await emails.add(conn, [email], domain)
        if not queued:
            return 0
        await contact_notices.attach(conn, [n.id for n in notices], queued[0], now)
        return 1
