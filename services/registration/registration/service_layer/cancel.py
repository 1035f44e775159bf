"""CancelRegistration, by the registrant (signed link) or by staff: idempotent."""

from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.registration import CancelledBy, RegistrationCancelled
from treffpunkt_shared.errors import require_found
from treffpunkt_shared.messaging.outbox import enqueue

from ..adapters import repository
from ..domain.model import Status, can_cancel
from ..links import Links
from .views import contract


async def cancel(pool: asyncpg.Pool, registration_id: UUID, cancelled_by: CancelledBy, links: Links) -> asyncpg.Record:
    """Cancel if still active; a cancelled, rejected registration is returned as it is."""
    async with pool.acquire() as conn, conn.transaction():
        row = require_found(await repository.get(conn, registration_id, for_update=True), "registration", registration_id)
        previous = Status(row["status"])
        if not can_cancel(previous):
            return row
        row = await repository.set_cancelled(conn, registration_id, cancelled_by.value)
        # Keyed by the registration id, like the request: the catalog sees the request first.
        await enqueue(
            conn,
            RegistrationCancelled(registration=contract(row, links), cancelled_by=cancelled_by,
                                  previous_status=previous.value),
            producer="registration", correlation_id=str(registration_id),
        )
    return row
