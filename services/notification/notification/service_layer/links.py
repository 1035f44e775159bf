"""A registration's links sent again on request: one email per request, to the registration's own
address (the registration service found it; nobody else's address ever reaches this email)."""

from collections.abc import Sequence

import asyncpg

from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import LinksRequested
from treffpunkt_shared.messaging.commit_hooks import after_commit
from treffpunkt_shared.messaging.consumer import Received
from treffpunkt_shared.tracing import trace_headers

from ..adapters import emails, erasure
from ..domain.model import Registrant, registrant_email
from .handling import HandlerDependencies


async def send_links(conn: asyncpg.Connection, messages: Sequence[Received[LinksRequested]],
                     dependencies: HandlerDependencies) -> None:
    """Queue one email per request; the request's message id is the occasion, so a message read twice
    (after a crash) is still one email."""
    erased = await erasure.erased_among(conn, [message.payload.registration_id for message in messages])
    messages = [message for message in messages if message.payload.registration_id not in erased]
    queued = [
        registrant_email(
            EmailKind.links,
            Registrant(message.payload.registration_id, message.payload.event_id, message.payload.email,
                       message.payload.name, message.payload.language),
            {"session_id": str(message.payload.session_id), "status_url": message.payload.status_url,
             "cancel_url": message.payload.cancel_url, "data_url": message.payload.data_url},
            occasion=str(message.envelope.event_id),
        )
        for message in messages
    ]
    await emails.add(conn, queued, dependencies.domain,
                     trace_contexts=[trace_headers(message.envelope.correlation_id) for message in messages])
    after_commit(dependencies.emails_queued)
