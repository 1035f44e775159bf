"""notification: emails to send and their log, registrations heard of, contact persons' notices and preferences

An email is a row before it is anything else: written in the transaction that handles the message
it answers, and unique by its dedup key, so a redelivered message cannot queue it twice. The
sender renders it from the local data when it sends it and keeps the subject, the reply and every
failure for the delivery log.

Of the participants only what their emails need is kept (name, organisation, address, language,
their signed links); no phone numbers, no remarks.

Revision ID: 0002
Revises: 0001
"""

from treffpunkt_shared.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE registration (
    id uuid CONSTRAINT registration_pkey PRIMARY KEY,
    event_id uuid NOT NULL,
    session_id uuid NOT NULL,
    status text NOT NULL CONSTRAINT registration_status_check
        CHECK (status IN ('confirmed', 'waitlisted', 'rejected', 'cancelled')),
    waitlist_position integer,
    first_name text NOT NULL,
    last_name text NOT NULL,
    organisation text NOT NULL,
    email text NOT NULL,
    language text NOT NULL CONSTRAINT registration_language_check CHECK (language IN ('de', 'en')),
    status_url text NOT NULL,
    cancel_url text NOT NULL,
    -- SEQUENCE of the latest calendar file sent for it; null until the first one.
    calendar_sequence integer,
    updated_at timestamptz NOT NULL
);
CREATE INDEX registration_event_id_status_idx ON registration (event_id, status);
CREATE INDEX registration_session_id_status_idx ON registration (session_id, status);

CREATE TABLE email (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT email_pkey PRIMARY KEY,
    kind text NOT NULL CONSTRAINT email_kind_check CHECK (kind IN (
        'confirmed', 'waitlisted', 'promoted', 'rejected', 'cancelled', 'event_changed', 'event_cancelled',
        'contact_notice', 'contact_digest')),
    registration_id uuid,
    event_id uuid,
    recipient text NOT NULL,
    recipient_name text NOT NULL,
    language text NOT NULL CONSTRAINT email_language_check CHECK (language IN ('de', 'en')),
    dedup_key text NOT NULL CONSTRAINT email_dedup_key_key UNIQUE,
    message_id text NOT NULL CONSTRAINT email_message_id_key UNIQUE,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    subject text,
    status text NOT NULL DEFAULT 'pending' CONSTRAINT email_status_check
        CHECK (status IN ('pending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    -- Due from then; while a sender works on it, the end of its lease.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    smtp_reply text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    failed_at timestamptz
);
CREATE INDEX email_due_idx ON email (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX email_registration_id_idx ON email (registration_id, id);
CREATE INDEX email_recipient_idx ON email (lower(recipient));

CREATE TABLE contact_preference (
    contact_person_id uuid CONSTRAINT contact_preference_pkey PRIMARY KEY,
    mode text NOT NULL CONSTRAINT contact_preference_mode_check CHECK (mode IN ('immediate', 'daily', 'off')),
    language text NOT NULL CONSTRAINT contact_preference_language_check CHECK (language IN ('de', 'en')),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- What a contact person is to be told about a registration for one of their sessions; it waits
-- here until a notice or digest carries it (email_id) or their preference drops it (off).
CREATE TABLE contact_notice (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT contact_notice_pkey PRIMARY KEY,
    contact_person_id uuid NOT NULL,
    contact_name text NOT NULL,
    contact_email text NOT NULL,
    registration_id uuid NOT NULL CONSTRAINT contact_notice_registration_id_fkey REFERENCES registration (id),
    event_id uuid NOT NULL,
    session_id uuid NOT NULL,
    happened text NOT NULL CONSTRAINT contact_notice_happened_check
        CHECK (happened IN ('confirmed', 'waitlisted', 'promoted', 'rejected', 'cancelled')),
    noticed_at timestamptz NOT NULL,
    handled_at timestamptz,
    email_id bigint CONSTRAINT contact_notice_email_id_fkey REFERENCES email (id),
    CONSTRAINT contact_notice_once_key UNIQUE (contact_person_id, registration_id, happened)
);
CREATE INDEX contact_notice_waiting_idx ON contact_notice (contact_person_id, noticed_at) WHERE handled_at IS NULL;
CREATE INDEX contact_notice_registration_id_idx ON contact_notice (registration_id);
CREATE INDEX contact_notice_email_id_idx ON contact_notice (email_id);
"""

DOWNGRADE = """
DROP TABLE contact_notice;
DROP TABLE contact_preference;
DROP TABLE email;
DROP TABLE registration;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
