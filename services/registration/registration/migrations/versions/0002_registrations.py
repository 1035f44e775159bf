"""registration: registrations with the participants' data, idempotency keys

Revision ID: 0002
Revises: 0001
"""

from treffpunkt_shared.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE registration (
        id uuid CONSTRAINT registration_pkey PRIMARY KEY,
        event_id uuid NOT NULL,
        session_id uuid NOT NULL,
        status text NOT NULL CONSTRAINT registration_status_check
            CHECK (status IN ('pending', 'confirmed', 'waitlisted', 'rejected', 'cancelled')),
        first_name text NOT NULL,
        last_name text NOT NULL,
        email text NOT NULL,
        email_normalised text NOT NULL,
        organisation text NOT NULL,
        phone text,
        remarks text,
        language text NOT NULL CONSTRAINT registration_language_check CHECK (language IN ('de', 'en')),
        consent_at timestamptz NOT NULL,
        rejection_reason text,
        waitlist_sequence integer,
        cancelled_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz,
        cancelled_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- One active registration per person and event; after a cancellation or rejection one may register again.
    CREATE UNIQUE INDEX registration_event_email_active_key ON registration (event_id, email_normalised)
        WHERE status IN ('pending', 'confirmed', 'waitlisted');
    CREATE INDEX registration_session_status_idx ON registration (session_id, status, waitlist_sequence);
    CREATE INDEX registration_event_created_idx ON registration (event_id, created_at);

    CREATE TABLE idempotency_key (
        key text CONSTRAINT idempotency_key_pkey PRIMARY KEY,
        request_hash text NOT NULL,
        registration_id uuid NOT NULL CONSTRAINT idempotency_key_registration_id_fkey
            REFERENCES registration (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE idempotency_key; DROP TABLE registration;")
