"""The emails to send and their delivery log, in PostgreSQL.

Senders take due emails with `FOR UPDATE SKIP LOCKED` and reserve them for a lease (pushing
`next_attempt_at` ahead) rather than holding a transaction open while they talk SMTP: replicas
never take the same email, and one that a crashed sender held becomes due again when its lease ends.
The emails about one registration go out in the order they were queued (a cancellation never
arrives before the confirmation it cancels): one waits while an earlier one is pending.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import Language

from ..domain.model import EmailStatus, NewEmail, message_id


@dataclass(frozen=True)
class QueuedEmail:
    id: int
    kind: EmailKind
    registration_id: UUID | None
    event_id: UUID | None
    recipient: str
    recipient_name: str
    language: Language
    message_id: str
    details: dict[str, Any]
    attempts: int
    trace_context: dict[str, str]  # of the message that queued it (empty when tracing is off)


_QUEUED_COLUMNS = ("id, kind, registration_id, event_id, recipient, recipient_name, language, message_id, details, "
                   "attempts, trace_context")


def _queued(row: asyncpg.Record) -> QueuedEmail:
    return QueuedEmail(**{**row, "kind": EmailKind(row["kind"]), "language": Language(row["language"])})


async def add(conn: asyncpg.Connection, emails: Sequence[NewEmail], domain: str, *,
              trace_contexts: Sequence[dict[str, str]] | None = None) -> list[int]:
    """Queue `emails`; those whose dedup key is taken already are left out. The ids of those queued.
    `trace_contexts`: each email's, of the message it answers, for the trace of its sending."""
    if not emails:
        return []
    rows = await conn.fetch(
        """
        INSERT INTO email (kind, registration_id, event_id, recipient, recipient_name, language, dedup_key,
                           message_id, details, trace_context)
        SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::jsonb[], $10::jsonb[])
        ON CONFLICT ON CONSTRAINT email_dedup_key_key DO NOTHING
        RETURNING id
        """,
        [e.kind for e in emails], [e.registration_id for e in emails], [e.event_id for e in emails],
        [e.recipient for e in emails], [e.recipient_name for e in emails], [e.language for e in emails],
        [e.dedup_key for e in emails], [message_id(e.dedup_key, domain) for e in emails],
        [e.details for e in emails], list(trace_contexts) if trace_contexts is not None else [{}] * len(emails),
    )
    return [row["id"] for row in rows]


async def claim_due(pool: asyncpg.Pool, *, limit: int, lease_seconds: float, excluding: Sequence[int]) -> list[QueuedEmail]:
    """Reserve up to `limit` due emails for this sender. `excluding`: those it is still working on,
    which a lease that ran out must not hand to it a second time."""
    rows = await pool.fetch(
        f"""
        UPDATE email SET next_attempt_at = now() + make_interval(secs => $2)
        WHERE id IN (
            SELECT id FROM email
            WHERE status = 'pending' AND next_attempt_at <= now() AND NOT (id = ANY($3::bigint[]))
              AND NOT EXISTS (
                  SELECT 1 FROM email earlier
                  WHERE earlier.registration_id = email.registration_id AND earlier.status = 'pending'
                    AND earlier.id < email.id)
            ORDER BY next_attempt_at, id
            LIMIT $1
            FOR UPDATE SKIP LOCKED
        )
        RETURNING {_QUEUED_COLUMNS}
        """,
        limit, lease_seconds, list(excluding),
    )
    return sorted((_queued(row) for row in rows), key=lambda email: email.id)


@dataclass(frozen=True)
class Attempt:
    """The last attempt at an email, as its row keeps it."""

    email_id: int
    attempts: int  # so far, this one included
    subject: str | None
    text: str  # the server's reply when it was sent, else the error
    smtp_reply: str | None


def _columns(attempts: Sequence[Attempt]) -> tuple[list, ...]:
    return ([a.email_id for a in attempts], [a.attempts for a in attempts], [a.subject for a in attempts],
            [a.text for a in attempts], [a.smtp_reply for a in attempts])


async def record_failed_attempts(conn: asyncpg.Connection, attempts: Sequence[Attempt], *,
                                 retry_in_seconds: Sequence[float]) -> None:
    """Note transient failures; each email is due again after its wait."""
    if not attempts:
        return
    await conn.execute(
        """
        UPDATE email SET attempts = a.attempts, last_error = a.text, next_attempt_at = now() + make_interval(secs => a.wait)
        FROM unnest($1::bigint[], $2::int[], $3::text[], $4::float8[]) AS a(id, attempts, text, wait)
        WHERE email.id = a.id AND email.status = 'pending'
        """,
        [a.email_id for a in attempts], [a.attempts for a in attempts], [a.text for a in attempts],
        list(retry_in_seconds),
    )


async def mark_sent(conn: asyncpg.Connection, attempts: Sequence[Attempt]) -> dict[int, datetime]:
    """When each email was marked sent; one settled already (by a replica that took it over after a lease
    ran out) is left out."""
    if not attempts:
        return {}
    rows = await conn.fetch(
        """
        UPDATE email SET status = 'sent', sent_at = now(), attempts = a.attempts, subject = a.subject,
                         smtp_reply = a.text
        FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[]) AS a(id, attempts, subject, text, reply)
        WHERE email.id = a.id AND email.status = 'pending'
        RETURNING email.id, email.sent_at
        """,
        *_columns(attempts),
    )
    return {row["id"]: row["sent_at"] for row in rows}


async def mark_failed(conn: asyncpg.Connection, attempts: Sequence[Attempt]) -> dict[int, datetime]:
    """When each email was given up; as `mark_sent`."""
    if not attempts:
        return {}
    rows = await conn.fetch(
        """
        UPDATE email SET status = 'failed', failed_at = now(), attempts = a.attempts,
                         subject = COALESCE(a.subject, email.subject), last_error = a.text, smtp_reply = a.reply
        FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[]) AS a(id, attempts, subject, text, reply)
        WHERE email.id = a.id AND email.status = 'pending'
        RETURNING email.id, email.failed_at
        """,
        *_columns(attempts),
    )
    return {row["id"]: row["failed_at"] for row in rows}


async def release(pool: asyncpg.Pool, email_ids: Sequence[int]) -> None:
    """Make emails this sender gives up on while stopping due again at once, for the next one."""
    await pool.execute(
        "UPDATE email SET next_attempt_at = now() WHERE id = ANY($1::bigint[]) AND status = 'pending'", list(email_ids)
    )


@dataclass(frozen=True)
class LogEntry:
    message_id: str
    kind: EmailKind
    registration_id: UUID | None
    event_id: UUID | None
    recipient: str
    subject: str | None
    status: EmailStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    failed_at: datetime | None
    last_error: str | None
    smtp_reply: str | None


async def delivery_log(conn: asyncpg.Connection | asyncpg.Pool, *, registration_id: UUID | None = None,
                       recipient: str | None = None) -> list[LogEntry]:
    """The emails about a registration (with the contact persons' notices that listed it) and/or to a
    recipient, oldest first."""
    rows = await conn.fetch(
        """
        SELECT message_id, kind, registration_id, event_id, recipient, subject, status, attempts, created_at,
               CASE WHEN status = 'pending' THEN next_attempt_at END AS next_attempt_at,
               sent_at, failed_at, last_error, smtp_reply
        FROM email e
        WHERE ($1::uuid IS NULL OR e.registration_id = $1
               OR EXISTS (SELECT 1 FROM contact_notice n WHERE n.email_id = e.id AND n.registration_id = $1))
          AND ($2::text IS NULL OR lower(e.recipient) = lower($2))
        ORDER BY e.created_at, e.id
        """,
        registration_id, recipient,
    )
    return [LogEntry(**{**row, "kind": EmailKind(row["kind"]), "status": EmailStatus(row["status"])}) for row in rows]


async def event_of_registration(conn: asyncpg.Connection | asyncpg.Pool, registration_id: UUID) -> UUID | None:
    """The event of a registration known here (or, once it is gone, as an email about it names it)."""
    return await conn.fetchval(
        """
        SELECT COALESCE(
            (SELECT event_id FROM registration WHERE id = $1),
            (SELECT event_id FROM email WHERE registration_id = $1 AND event_id IS NOT NULL LIMIT 1))
        """,
        registration_id,
    )
