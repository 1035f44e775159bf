"""Contact persons' notices and their preferences, in PostgreSQL."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.catalog import ContactPerson
from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import Language

from ..domain.model import DEFAULT_CONTACT_LANGUAGE, DEFAULT_CONTACT_MODE, ContactMode


@dataclass(frozen=True)
class Preference:
    contact_person_id: UUID
    mode: ContactMode
    language: Language
    updated_by: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Waiting:
    """A contact person with notices waiting, and how they want them."""

    contact_person_id: UUID
    mode: ContactMode
    language: Language
    first_notice_id: int
    first_noticed_at: datetime


@dataclass(frozen=True)
class Notice:
    id: int
    contact_person_id: UUID
    contact_name: str
    contact_email: str
    registration_id: UUID
    event_id: UUID
    session_id: UUID
    happened: EmailKind
    noticed_at: datetime


_NOTICE_COLUMNS = ("id, contact_person_id, contact_name, contact_email, registration_id, event_id, session_id, "
                   "happened, noticed_at")


def _notice(row: asyncpg.Record) -> Notice:
    return Notice(**{**row, "happened": EmailKind(row["happened"])})


@dataclass(frozen=True)
class NewNotice:
    """Something a contact person is to hear about."""

    contact_person: ContactPerson
    registration_id: UUID
    event_id: UUID
    session_id: UUID
    happened: EmailKind
    noticed_at: datetime


async def add(conn: asyncpg.Connection, notices: Sequence[NewNotice]) -> None:
    """Keep `notices` for their contact persons; one kept already is left out."""
    await conn.executemany(
        """
        INSERT INTO contact_notice (contact_person_id, contact_name, contact_email, registration_id, event_id,
                                    session_id, happened, noticed_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT ON CONSTRAINT contact_notice_once_key DO NOTHING
        """,
        [(n.contact_person.id, n.contact_person.name, n.contact_person.email, n.registration_id, n.event_id,
          n.session_id, n.happened, n.noticed_at) for n in notices],
    )


async def drop_unwanted(conn: asyncpg.Connection | asyncpg.Pool, now: datetime) -> None:
    """Settle the notices waiting for contact persons who want none."""
    await conn.execute(
        """
        UPDATE contact_notice SET handled_at = $1
        WHERE handled_at IS NULL
          AND contact_person_id IN (SELECT contact_person_id FROM contact_preference WHERE mode = 'off')
        """,
        now,
    )


async def waiting(conn: asyncpg.Connection | asyncpg.Pool) -> list[Waiting]:
    rows = await conn.fetch(
        """
        SELECT n.contact_person_id, COALESCE(p.mode, $1) AS mode, COALESCE(p.language, $2) AS language,
               min(n.id) AS first_notice_id, min(n.noticed_at) AS first_noticed_at
        FROM contact_notice n LEFT JOIN contact_preference p USING (contact_person_id)
        WHERE n.handled_at IS NULL
        GROUP BY n.contact_person_id, p.mode, p.language
        """,
        DEFAULT_CONTACT_MODE.value, DEFAULT_CONTACT_LANGUAGE.value,
    )
    return [Waiting(**{**row, "mode": ContactMode(row["mode"]), "language": Language(row["language"])}) for row in rows]


async def lock_waiting(conn: asyncpg.Connection, contact_person_id: UUID) -> list[Notice]:
    """The person's waiting notices, locked for the caller's transaction (another replica skips them)."""
    rows = await conn.fetch(
        f"""
        SELECT {_NOTICE_COLUMNS} FROM contact_notice
        WHERE contact_person_id = $1 AND handled_at IS NULL
        ORDER BY id FOR UPDATE SKIP LOCKED
        """,
        contact_person_id,
    )
    return [_notice(row) for row in rows]


async def attach(conn: asyncpg.Connection, notice_ids: Sequence[int], email_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE contact_notice SET email_id = $2, handled_at = $3 WHERE id = ANY($1::bigint[])",
        list(notice_ids), email_id, now,
    )


async def carried_by(conn: asyncpg.Connection, email_id: int) -> list[Notice]:
    rows = await conn.fetch(f"SELECT {_NOTICE_COLUMNS} FROM contact_notice WHERE email_id = $1 ORDER BY id", email_id)
    return [_notice(row) for row in rows]


async def preference(conn: asyncpg.Connection | asyncpg.Pool, contact_person_id: UUID) -> Preference | None:
    row = await conn.fetchrow(
        "SELECT contact_person_id, mode, language, updated_by, updated_at FROM contact_preference "
        "WHERE contact_person_id = $1",
        contact_person_id,
    )
    if row is None:
        return None
    return Preference(**{**row, "mode": ContactMode(row["mode"]), "language": Language(row["language"])})


async def set_preference(conn: asyncpg.Connection | asyncpg.Pool, contact_person_id: UUID, mode: ContactMode,
                         language: Language, updated_by: str) -> Preference:
    row = await conn.fetchrow(
        """
        INSERT INTO contact_preference (contact_person_id, mode, language, updated_by) VALUES ($1, $2, $3, $4)
        ON CONFLICT ON CONSTRAINT contact_preference_pkey DO UPDATE
        SET mode = EXCLUDED.mode, language = EXCLUDED.language, updated_by = EXCLUDED.updated_by, updated_at = now()
        RETURNING contact_person_id, mode, language, updated_by, updated_at
        """,
        contact_person_id, mode, language, updated_by,
    )
    return Preference(**{**row, "mode": ContactMode(row["mode"]), "language": Language(row["language"])})
