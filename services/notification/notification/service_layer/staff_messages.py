"""Staff messages to participants: one email per message and registration (the registration service chose the
recipients). The dedup key holds the message id and the registration id, so a message read twice, or queued
twice by the registration service, is still one email. The email belongs to its registration like every other
(`registration_id`), so an erasure deletes it with the rest."""

from collections.abc import Sequence

import asyncpg

from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import StaffMessageToParticipant
from treffpunkt_shared.messaging.commit_hooks import after_commit
from treffpunkt_shared.messaging.consumer import Received
from treffpunkt_shared.tracing import trace_headers

from ..adapters import emails, erasure
from ..domain.model import Registrant, registrant_email
from .handling import HandlerDependencies


async def send_staff_messages(conn: asyncpg.Connection, messages: Sequence[Received[StaffMessageToParticipant]],
                              dependencies: HandlerDependencies) -> None:
    erased = await erasure.erased_among(conn, [message.payload.registration_id for message in messages])
    messages = [message for message in messages if message.payload.registration_id not in erased]
    queued = [
        registrant_email(
            EmailKind.staff_message,
            Registrant(m.payload.registration_id, m.payload.event_id, m.payload.email, m.payload.name,
                       m.payload.language),
            {"session_id": str(m.payload.session_id), "subject": m.payload.subject, "body": m.payload.body,
             "data_url": m.payload.data_url, "message_id": str(m.payload.message_id)},
            occasion=str(m.payload.message_id),
        )
        for m in messages
    ]
    await emails.add(conn, queued, dependencies.domain,
                     trace_contexts=[trace_headers(message.envelope.correlation_id) for message in messages])
    after_commit(dependencies.emails_queued)
