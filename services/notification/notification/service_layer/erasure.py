"""`RegistrationErased`: the registration service erased a registration's personal data; this service erases
its copy at once, in the consumer's transaction. A redelivered message finds nothing left to erase; while
this service is down the message waits in Kafka and is handled when it is back. Whatever arrives about an
erased registration afterwards is dropped (`erasure.erased_among` in the other handlers)."""

from collections.abc import Sequence

import asyncpg

from treffpunkt_shared.contracts.registration import RegistrationErased
from treffpunkt_shared.messaging.consumer import Received

from ..adapters import erasure
from .handling import HandlerDependencies


async def erase_registrations(conn: asyncpg.Connection, messages: Sequence[Received[RegistrationErased]],
                              _: HandlerDependencies) -> None:
    await erasure.erase(conn, [m.payload.registration_id for m in messages], [m.payload.erased_at for m in messages])
