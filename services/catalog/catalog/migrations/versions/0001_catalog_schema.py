"""The catalog's schema: organisations, contact persons, programmes, events and their sessions;
the messaging tables and staff tokens every service has.

The session's seat counters live next to its limits so that the seat ledger can change them with
one UPDATE whose CHECK constraints make the database, not Python, refuse an overbooking.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from treffpunkt_shared.messaging.schema import MESSAGING_TABLES_V1, MESSAGING_TABLES_V1_DOWN
from treffpunkt_shared.migrations import execute_script
from treffpunkt_shared.staff_access import STAFF_TOKENS_V1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CATALOG_TABLES = """
CREATE TABLE organisation (
    id uuid CONSTRAINT organisation_pkey PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL CONSTRAINT organisation_kind_check CHECK (kind IN (
        'chamber_of_commerce', 'chamber_of_crafts', 'guild_association', 'city_office',
        'company', 'association', 'other')),
    website text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contact_person (
    id uuid CONSTRAINT contact_person_pkey PRIMARY KEY,
    organisation_id uuid NOT NULL
        CONSTRAINT contact_person_organisation_id_fkey REFERENCES organisation (id),
    name text NOT NULL,
    role text,
    email text NOT NULL,
    phone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_person_organisation_id_idx ON contact_person (organisation_id);

CREATE TABLE programme (
    id uuid CONSTRAINT programme_pkey PRIMARY KEY,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    kind text,
    responsible_offices text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE programme_link (
    programme_id uuid NOT NULL
        CONSTRAINT programme_link_programme_id_fkey REFERENCES programme (id) ON DELETE CASCADE,
    linked_programme_id uuid NOT NULL
        CONSTRAINT programme_link_linked_programme_id_fkey REFERENCES programme (id) ON DELETE CASCADE,
    position integer NOT NULL,
    CONSTRAINT programme_link_pkey PRIMARY KEY (programme_id, linked_programme_id),
    CONSTRAINT programme_link_not_self_check CHECK (programme_id <> linked_programme_id)
);
CREATE INDEX programme_link_linked_programme_id_idx ON programme_link (linked_programme_id);

CREATE TABLE event (
    id uuid CONSTRAINT event_pkey PRIMARY KEY,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'draft'
        CONSTRAINT event_status_check CHECK (status IN ('draft', 'published', 'closed', 'cancelled')),
    programme_id uuid CONSTRAINT event_programme_id_fkey REFERENCES programme (id),
    venue_name text NOT NULL,
    venue_address text NOT NULL DEFAULT '',
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    registration_deadline timestamptz NOT NULL,
    what_to_bring text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_ends_after_start_check CHECK (ends_at > starts_at),
    CONSTRAINT event_deadline_not_after_start_check CHECK (registration_deadline <= starts_at)
);
CREATE INDEX event_programme_id_idx ON event (programme_id);
CREATE INDEX event_status_starts_at_idx ON event (status, starts_at);

CREATE TABLE event_organiser (
    event_id uuid NOT NULL
        CONSTRAINT event_organiser_event_id_fkey REFERENCES event (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL
        CONSTRAINT event_organiser_organisation_id_fkey REFERENCES organisation (id),
    position integer NOT NULL,
    CONSTRAINT event_organiser_pkey PRIMARY KEY (event_id, organisation_id)
);
CREATE INDEX event_organiser_organisation_id_idx ON event_organiser (organisation_id);

CREATE TABLE session (
    id uuid CONSTRAINT session_pkey PRIMARY KEY,
    event_id uuid NOT NULL CONSTRAINT session_event_id_fkey REFERENCES event (id),
    position integer NOT NULL CONSTRAINT session_position_check CHECK (position >= 1),
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    capacity integer NOT NULL CONSTRAINT session_capacity_check CHECK (capacity >= 0),
    waitlist_size integer NOT NULL CONSTRAINT session_waitlist_size_check CHECK (waitlist_size >= 0),
    seats_allocated integer NOT NULL DEFAULT 0
        CONSTRAINT session_seats_allocated_check CHECK (seats_allocated BETWEEN 0 AND capacity),
    waitlist_count integer NOT NULL DEFAULT 0
        CONSTRAINT session_waitlist_count_check CHECK (waitlist_count BETWEEN 0 AND waitlist_size),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT session_event_id_position_key UNIQUE (event_id, position)
);

CREATE TABLE session_contact_person (
    session_id uuid NOT NULL
        CONSTRAINT session_contact_person_session_id_fkey REFERENCES session (id) ON DELETE CASCADE,
    contact_person_id uuid NOT NULL
        CONSTRAINT session_contact_person_contact_person_id_fkey REFERENCES contact_person (id) ON DELETE CASCADE,
    position integer NOT NULL,
    CONSTRAINT session_contact_person_pkey PRIMARY KEY (session_id, contact_person_id)
);
CREATE INDEX session_contact_person_contact_person_id_idx ON session_contact_person (contact_person_id);
"""

CATALOG_TABLES_DOWN = """
DROP TABLE session_contact_person;
DROP TABLE session;
DROP TABLE event_organiser;
DROP TABLE event;
DROP TABLE programme_link;
DROP TABLE programme;
DROP TABLE contact_person;
DROP TABLE organisation;
DROP TABLE staff_token;
"""


def upgrade() -> None:
    execute_script(MESSAGING_TABLES_V1)
    execute_script(STAFF_TOKENS_V1)
    execute_script(CATALOG_TABLES)


def downgrade() -> None:
    execute_script(CATALOG_TABLES_DOWN)
    execute_script(MESSAGING_TABLES_V1_DOWN)
