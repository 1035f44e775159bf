"""The notification service's delivery events, kept for the registrant's "my data" page (DSGVO Art. 15: which
emails went out about the registration, when, with which subject).

The notification service answers nobody but staff over HTTP, and the page must not depend on it being up:
so this service keeps what the page shows, as it keeps the registration. Emails not about one registration
(contact persons' notices and digests) and those about an erased one are not kept; the address is not
kept either (it is the registration's own, or gone).
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.delivery import EmailFailed, EmailSent
from treffpunkt_shared.messaging.consumer import Received


async def record_delivery(conn: asyncpg.Connection, messages: Sequence[Received[EmailSent | EmailFailed]],
                          _: Any) -> None:
    rows = [
        (event.message_id, event.registration_id, event.kind.value, event.subject,
         "sent" if isinstance(event, EmailSent) else "failed",
         event.sent_at if isinstance(event, EmailSent) else event.failed_at)
        for event in (message.payload for message in messages) if event.registration_id is not None
    ]
    await conn.executemany(
        """
        INSERT INTO registration_email (message_id, registration_id, kind, subject, status, settled_at)
        SELECT $1, id, $3, $4, $5, $6 FROM registration WHERE id = $2 AND erased_at IS NULL
        ON CONFLICT ON CONSTRAINT registration_email_pkey DO NOTHING
        """,
        rows,
    )


async def of_registration(conn: asyncpg.Connection | asyncpg.Pool, registration_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT kind, subject, status, settled_at FROM registration_email WHERE registration_id = $1 "
        "ORDER BY settled_at, message_id",
        registration_id,
    )
