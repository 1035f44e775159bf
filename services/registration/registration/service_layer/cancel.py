"""CancelRegistration, by the registrant (signed link) or by staff: idempotent."""

from uuid import UUID

import asyncpg

from treffpunkt_shared import audit
from treffpunkt_shared.contracts.registration import CancelledBy, RegistrationCancelled
from treffpunkt_shared.errors import require_found
from treffpunkt_shared.messaging.outbox import enqueue
from treffpunkt_shared.staff_access import Principal

from ..adapters import repository
from ..domain.model import Registration
from ..links import Links
from ..settings import RegistrationSettings
from .views import as_outgoing


async def cancel(pool: asyncpg.Pool, registration_id: UUID, cancelled_by: CancelledBy, links: Links, *,
                 by: Principal | None = None, reason: str | None = None) -> Registration:
    """Cancel if still active; a cancelled, rejected registration is returned as it is. `by`: the staff member
    cancelling on the person's behalf, noted in the audit trail with the cancellation; `reason`: theirs, for
    the person's email only (it may be personal: not in the audit entry, not stored here)."""
    async with pool.acquire() as conn, conn.transaction():
        registration = require_found(await repository.get(conn, registration_id, for_update=True), "registration",
                                     registration_id)
        if not registration.cancellable:
            return registration
        cancelled = await repository.set_cancelled(conn, registration_id, cancelled_by.value)
        # Keyed by the registration id, like the request: the catalog sees the request first.
        await enqueue(
            conn,
            RegistrationCancelled(registration=as_outgoing(cancelled, links), cancelled_by=cancelled_by,
                                  previous_status=registration.status.value, reason=reason),
            producer=RegistrationSettings.service_name, correlation_id=str(registration_id),
        )
        if by is not None:
            await audit.record(conn, by, "registration.cancelled", registration_id, event_id=registration.event_id)
    return cancelled
