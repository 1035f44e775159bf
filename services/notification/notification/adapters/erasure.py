"""Erasing what this service holds about registrations, in PostgreSQL: generic over every kind of email
(by registration id), so an email kind added later is erased with the others."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg


async def erase(conn: asyncpg.Connection, registration_ids: Sequence[UUID], erased_at: Sequence[datetime]) -> None:
    """Forget the registrations: their emails (queued or sent, with recipients, subjects and the delivery log),
    the contact persons' notices that list them (a notice or digest not sent yet that listed no one else is
    not sent; a sent one keeps its row, which names the contact person only), this service's outbox rows
    about them (delivery events naming the address), and the registrations themselves; remember their ids."""
    ids = list(registration_ids)
    await conn.execute(
        """
        INSERT INTO erased_registration (id, erased_at) SELECT * FROM unnest($1::uuid[], $2::timestamptz[])
        ON CONFLICT ON CONSTRAINT erased_registration_pkey DO NOTHING
        """,
        ids, list(erased_at),
    )
    carriers = await conn.fetch(
        "SELECT DISTINCT email_id FROM contact_notice WHERE registration_id = ANY($1::uuid[]) AND email_id IS NOT NULL",
        ids,
    )
    await conn.execute("DELETE FROM contact_notice WHERE registration_id = ANY($1::uuid[])", ids)
    await conn.execute(
        """
        DELETE FROM email e
        WHERE e.id = ANY($1::bigint[]) AND e.status = 'pending'
          AND NOT EXISTS (SELECT 1 FROM contact_notice n WHERE n.email_id = e.id)
        """,
        [row["email_id"] for row in carriers],
    )
    await conn.execute("DELETE FROM email WHERE registration_id = ANY($1::uuid[])", ids)
    await conn.execute("DELETE FROM outbox_message WHERE message_key = ANY($1::text[])", [str(i) for i in ids])
    await conn.execute("DELETE FROM registration WHERE id = ANY($1::uuid[])", ids)


async def erased_among(conn: asyncpg.Connection, registration_ids: Sequence[UUID]) -> set[UUID]:
    rows = await conn.fetch("SELECT id FROM erased_registration WHERE id = ANY($1::uuid[])", list(registration_ids))
    return {row["id"] for row in rows}
