"""SendLinksAgain: a registrant who lost the email asks for the links by address and event. The answer
never says whether the address is registered (nothing to enumerate); the links go only to the
registration's own address, in an email that the notification service sends on `LinksRequested`."""

from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.registration import Language, LinksRequested
from treffpunkt_shared.errors import TooManyRequests
from treffpunkt_shared.messaging.outbox import enqueue

from ..adapters import repository
from ..adapters.rate_limits import Limit, admit
from ..domain.model import normalise_email
from ..links import Links
from ..settings import RegistrationSettings


async def send_links_again(pool: asyncpg.Pool, links: Links, settings: RegistrationSettings, *, event_id: UUID,
                           email: str, language: Language, client: str, now: datetime) -> None:
    """Publish the links of the address's active registration for the event, if there is one.
    TooManyRequests (429) once the client address had its allowance; once the email address had its
    allowance, nothing is sent and nothing said: a 429 there would tell that the address is registered
    (or that someone keeps asking for it)."""
    window = settings.rate_limit_window_seconds
    await admit(pool, [Limit("links_client", client, settings.links_per_client)], window_seconds=window, now=now)
    address = normalise_email(email)
    async with pool.acquire() as conn, conn.transaction():
        registration = await repository.find_active(conn, event_id, address)
        if registration is None:
            return
        try:
            await admit(conn, [Limit("links_recipient", address, settings.links_per_recipient)],
                        window_seconds=window, now=now)
        except TooManyRequests:
            return
        await enqueue(
            conn,
            LinksRequested(registration_id=registration.id, event_id=registration.event_id,
                           session_id=registration.session_id, email=registration.email,
                           name=f"{registration.first_name} {registration.last_name}", language=language,
                           status_url=links.status_page(registration.id), cancel_url=links.cancel_page(registration.id),
                           data_url=links.data_page(registration.id)),
            producer=RegistrationSettings.service_name, correlation_id=str(registration.id),
        )
