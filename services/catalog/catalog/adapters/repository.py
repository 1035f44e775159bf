"""The catalog's aggregates in PostgreSQL (explicit SQL), for the handlers that change them.

Loads that precede a change lock the row (`FOR UPDATE`) so that concurrent changes of one aggregate
take turns and publish their snapshots in the order they were made. Handlers lock an event before
anything in it; changes to contact persons and organisations lock the events that show them, so
the event snapshots they publish again cannot overtake another change of those events.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from uuid import UUID

import asyncpg

from treffpunkt_shared.contracts.catalog import EventStatus, OrganisationKind, ReminderSchedule
from treffpunkt_shared.errors import InvalidField

from ..domain.model import ContactPerson, Event, Organisation, Programme, Session


class Kind(StrEnum):
    """What a referenced id names; the value reads well in an error message."""

    organisation = "organisation"
    contact_person = "contact person"
    programme = "programme"


_EXISTING = {
    Kind.organisation: "SELECT id FROM organisation WHERE id = ANY($1::uuid[])",
    Kind.contact_person: "SELECT id FROM contact_person WHERE id = ANY($1::uuid[])",
    Kind.programme: "SELECT id FROM programme WHERE id = ANY($1::uuid[])",
}

# What the database refuses although the handler checked it: another transaction changed it in
# between (the seat ledger allocated a seat, a contact person was deleted).
_CONSTRAINT_FIELDS = {
    "session_seats_allocated_check": ("capacity", "More seats are allocated than this capacity."),
    "session_waitlist_count_check": ("waitlist_size", "More people are on the waiting list than this size."),
    "session_contact_person_contact_person_id_fkey": ("contact_person_ids", "A contact person was just deleted."),
}


@contextmanager
def _raced_constraints_as_invalid_fields() -> Iterator[None]:
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as error:
        if error.constraint_name not in _CONSTRAINT_FIELDS:
            raise
        raise InvalidField(*_CONSTRAINT_FIELDS[error.constraint_name]) from error


_ORGANISATION_COLUMNS = ("id, name, kind, website, controller, privacy_notice_url, privacy_notice_version, "
                         "privacy_notice_sha256")


def _organisation_values(organisation: Organisation) -> tuple:
    return (organisation.id, organisation.name, organisation.kind, organisation.website, organisation.controller,
            organisation.privacy_notice_url, organisation.privacy_notice_version, organisation.privacy_notice_sha256)


class CatalogRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def unknown_ids(self, kind: Kind, ids: Sequence[UUID]) -> set[UUID]:
        """Those of `ids` that name no `kind`."""
        existing = {row["id"] for row in await self._conn.fetch(_EXISTING[kind], ids)}
        return set(ids) - existing

    # Organisations

    async def organisation_for_update(self, organisation_id: UUID) -> Organisation | None:
        row = await self._conn.fetchrow(
            f"SELECT {_ORGANISATION_COLUMNS} FROM organisation WHERE id = $1 FOR UPDATE", organisation_id
        )
        if row is None:
            return None
        return Organisation(**{**row, "kind": OrganisationKind(row["kind"])})

    async def add_organisation(self, organisation: Organisation) -> None:
        await self._conn.execute(
            f"INSERT INTO organisation ({_ORGANISATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            *_organisation_values(organisation),
        )

    async def save_organisation(self, organisation: Organisation) -> None:
        await self._conn.execute(
            """
            UPDATE organisation SET name = $2, kind = $3, website = $4, controller = $5, privacy_notice_url = $6,
                                    privacy_notice_version = $7, privacy_notice_sha256 = $8, updated_at = now()
            WHERE id = $1
            """,
            *_organisation_values(organisation),
        )

    async def lock_contact_persons_of(self, organisation_id: UUID) -> list[UUID]:
        """Lock the organisation's contact persons (their snapshots carry its name); their ids."""
        rows = await self._conn.fetch(
            # NO KEY UPDATE: sessions may still reference them meanwhile.
            "SELECT id FROM contact_person WHERE organisation_id = $1 ORDER BY id FOR NO KEY UPDATE",
            organisation_id,
        )
        return [row["id"] for row in rows]

    async def lock_events_showing_organisation(self, organisation_id: UUID) -> list[UUID]:
        """Lock the events it organises or whose sessions list its people; their ids."""
        rows = await self._conn.fetch(
            """
            SELECT id FROM event
            WHERE id IN (SELECT event_id FROM event_organiser WHERE organisation_id = $1)
               OR id IN (SELECT s.event_id FROM session s
                         JOIN session_contact_person sc ON sc.session_id = s.id
                         JOIN contact_person c ON c.id = sc.contact_person_id
                         WHERE c.organisation_id = $1)
            ORDER BY id FOR UPDATE
            """,
            organisation_id,
        )
        return [row["id"] for row in rows]

    # Contact persons

    async def contact_person_for_update(self, contact_person_id: UUID) -> ContactPerson | None:
        row = await self._conn.fetchrow(
            "SELECT id, organisation_id, name, email, role, phone FROM contact_person WHERE id = $1 FOR UPDATE",
            contact_person_id,
        )
        return ContactPerson(**row) if row else None

    async def add_contact_person(self, person: ContactPerson) -> None:
        await self._conn.execute(
            """
            INSERT INTO contact_person (id, organisation_id, name, email, role, phone)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            person.id, person.organisation_id, person.name, person.email, person.role, person.phone,
        )

    async def save_contact_person(self, person: ContactPerson) -> None:
        await self._conn.execute(
            """
            UPDATE contact_person
            SET organisation_id = $2, name = $3, email = $4, role = $5, phone = $6, updated_at = now()
            WHERE id = $1
            """,
            person.id, person.organisation_id, person.name, person.email, person.role, person.phone,
        )

    async def delete_contact_person(self, contact_person_id: UUID) -> None:
        # Their places in sessions go with them (ON DELETE CASCADE).
        await self._conn.execute("DELETE FROM contact_person WHERE id = $1", contact_person_id)

    async def lock_events_showing_contact_person(self, contact_person_id: UUID) -> list[UUID]:
        """Lock the events whose sessions list the person; their ids."""
        rows = await self._conn.fetch(
            """
            SELECT id FROM event
            WHERE id IN (SELECT s.event_id FROM session s
                         JOIN session_contact_person sc ON sc.session_id = s.id
                         WHERE sc.contact_person_id = $1)
            ORDER BY id FOR UPDATE
            """,
            contact_person_id,
        )
        return [row["id"] for row in rows]

    # Programmes

    async def programme_for_update(self, programme_id: UUID) -> Programme | None:
        row = await self._conn.fetchrow(
            """
            SELECT id, title, description, kind, responsible_offices,
                   ARRAY(SELECT linked_programme_id FROM programme_link
                         WHERE programme_id = programme.id ORDER BY position) AS linked_programme_ids
            FROM programme WHERE id = $1 FOR UPDATE
            """,
            programme_id,
        )
        if row is None:
            return None
        return Programme(**{**row, "responsible_offices": tuple(row["responsible_offices"]),
                            "linked_programme_ids": tuple(row["linked_programme_ids"])})

    async def add_programme(self, programme: Programme) -> None:
        await self._conn.execute(
            "INSERT INTO programme (id, title, description, kind, responsible_offices) VALUES ($1, $2, $3, $4, $5)",
            programme.id, programme.title, programme.description, programme.kind, programme.responsible_offices,
        )
        await self._save_links(programme)

    async def save_programme(self, programme: Programme) -> None:
        await self._conn.execute(
            """
            UPDATE programme SET title = $2, description = $3, kind = $4, responsible_offices = $5, updated_at = now()
            WHERE id = $1
            """,
            programme.id, programme.title, programme.description, programme.kind, programme.responsible_offices,
        )
        await self._save_links(programme)

    async def _save_links(self, programme: Programme) -> None:
        await self._conn.execute("DELETE FROM programme_link WHERE programme_id = $1", programme.id)
        await self._conn.execute(
            """
            INSERT INTO programme_link (programme_id, linked_programme_id, position)
            SELECT $1, linked.id, linked.position FROM unnest($2::uuid[]) WITH ORDINALITY AS linked (id, position)
            """,
            programme.id, programme.linked_programme_ids,
        )

    # Events

    async def event_for_update(self, event_id: UUID) -> Event | None:
        row = await self._conn.fetchrow(
            """
            SELECT id, title, venue_name, starts_at, ends_at, registration_deadline, status, description,
                   programme_id, venue_address, what_to_bring, reminder_enabled, reminder_days_before,
                   reminder_local_time, retention_days,
                   ARRAY(SELECT organisation_id FROM event_organiser
                         WHERE event_id = event.id ORDER BY position) AS organiser_ids
            FROM event WHERE id = $1 FOR UPDATE
            """,
            event_id,
        )
        if row is None:
            return None
        fields = dict(row)
        reminder = ReminderSchedule(enabled=fields.pop("reminder_enabled"), days_before=fields.pop("reminder_days_before"),
                                    local_time=fields.pop("reminder_local_time").strftime("%H:%M"))
        return Event(**{**fields, "status": EventStatus(row["status"]), "organiser_ids": tuple(row["organiser_ids"]),
                        "reminder": reminder})

    async def add_event(self, event: Event) -> None:
        await self._conn.execute(
            """
            INSERT INTO event (id, title, description, status, programme_id, venue_name, venue_address,
                               starts_at, ends_at, registration_deadline, what_to_bring, reminder_enabled,
                               reminder_days_before, reminder_local_time, retention_days)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """,
            *self._event_values(event),
        )
        await self._save_organisers(event)

    async def save_event(self, event: Event) -> None:
        await self._conn.execute(
            """
            UPDATE event SET title = $2, description = $3, status = $4, programme_id = $5, venue_name = $6,
                             venue_address = $7, starts_at = $8, ends_at = $9, registration_deadline = $10,
                             what_to_bring = $11, reminder_enabled = $12, reminder_days_before = $13,
                             reminder_local_time = $14, retention_days = $15, updated_at = now()
            WHERE id = $1
            """,
            *self._event_values(event),
        )
        await self._save_organisers(event)

    @staticmethod
    def _event_values(event: Event) -> tuple:
        return (event.id, event.title, event.description, event.status, event.programme_id, event.venue_name,
                event.venue_address, event.starts_at, event.ends_at, event.registration_deadline, event.what_to_bring,
                event.reminder.enabled, event.reminder.days_before, event.reminder.time_of_day, event.retention_days)

    async def _save_organisers(self, event: Event) -> None:
        await self._conn.execute("DELETE FROM event_organiser WHERE event_id = $1", event.id)
        await self._conn.execute(
            """
            INSERT INTO event_organiser (event_id, organisation_id, position)
            SELECT $1, organiser.id, organiser.position
            FROM unnest($2::uuid[]) WITH ORDINALITY AS organiser (id, position)
            """,
            event.id, event.organiser_ids,
        )

    # Sessions

    async def event_id_of_session(self, session_id: UUID) -> UUID | None:
        return await self._conn.fetchval("SELECT event_id FROM session WHERE id = $1", session_id)

    async def next_session_position(self, event_id: UUID) -> int:
        """The position after the event's last session (call with the event locked)."""
        return await self._conn.fetchval(
            "SELECT COALESCE(max(position), 0) + 1 FROM session WHERE event_id = $1", event_id
        )

    async def session_for_update(self, session_id: UUID) -> Session | None:
        row = await self._conn.fetchrow(
            """
            SELECT id, event_id, position, title, capacity, waitlist_size, description,
                   ARRAY(SELECT contact_person_id FROM session_contact_person
                         WHERE session_id = session.id ORDER BY position) AS contact_person_ids,
                   seats_allocated, waitlist_count
            FROM session WHERE id = $1 FOR UPDATE
            """,
            session_id,
        )
        return Session(**{**row, "contact_person_ids": tuple(row["contact_person_ids"])}) if row else None

    async def add_session(self, session: Session) -> None:
        await self._conn.execute(
            """
            INSERT INTO session (id, event_id, position, title, description, capacity, waitlist_size)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            session.id, session.event_id, session.position, session.title, session.description,
            session.capacity, session.waitlist_size,
        )
        await self._save_session_contact_persons(session)

    async def save_session(self, session: Session) -> None:
        # The seat counters belong to the seat ledger: never written from here.
        with _raced_constraints_as_invalid_fields():
            await self._conn.execute(
                """
                UPDATE session SET title = $2, description = $3, capacity = $4, waitlist_size = $5, updated_at = now()
                WHERE id = $1
                """,
                session.id, session.title, session.description, session.capacity, session.waitlist_size,
            )
        await self._save_session_contact_persons(session)

    async def _save_session_contact_persons(self, session: Session) -> None:
        await self._conn.execute("DELETE FROM session_contact_person WHERE session_id = $1", session.id)
        with _raced_constraints_as_invalid_fields():
            await self._conn.execute(
                """
                INSERT INTO session_contact_person (session_id, contact_person_id, position)
                SELECT $1, contact.id, contact.position
                FROM unnest($2::uuid[]) WITH ORDINALITY AS contact (id, position)
                """,
                session.id, session.contact_person_ids,
            )
