"""catalog: the seat ledger (one row per registration decided, the waiting list's order)

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
    ALTER TABLE session ADD COLUMN waitlist_last_sequence integer NOT NULL DEFAULT 0;

    CREATE TABLE seat_allocation (
        registration_id uuid CONSTRAINT seat_allocation_pkey PRIMARY KEY,
        session_id uuid NOT NULL CONSTRAINT seat_allocation_session_id_fkey REFERENCES session (id),
        event_id uuid NOT NULL CONSTRAINT seat_allocation_event_id_fkey REFERENCES event (id),
        state text NOT NULL CONSTRAINT seat_allocation_state_check
            CHECK (state IN ('allocated', 'waitlisted', 'released')),
        waitlist_sequence integer,
        promoted boolean NOT NULL DEFAULT false,
        requested_at timestamptz NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        CONSTRAINT seat_allocation_waitlist_sequence_check CHECK ((state = 'waitlisted') <= (waitlist_sequence IS NOT NULL))
    );
    CREATE INDEX seat_allocation_waitlist_idx ON seat_allocation (session_id, waitlist_sequence) WHERE state = 'waitlisted';
    """)


def downgrade() -> None:
    execute_script("DROP TABLE seat_allocation; ALTER TABLE session DROP COLUMN waitlist_last_sequence;")
