"""registration: staff moving a registration to another session of its event

A move is a request to the catalog's seat ledger (like the registration's own), answered by it: `moving`
until then, `moved` or `refused`. The row is also the move's entry in the registration's history (its
status may stay `confirmed`, which the status history would not show). One move at a time per registration.

Revision ID: 0006
Revises: 0005
"""

from treffpunkt_shared.migrations import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE registration_move (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT registration_move_pkey PRIMARY KEY,
    registration_id uuid NOT NULL CONSTRAINT registration_move_registration_id_fkey
        REFERENCES registration (id) ON DELETE CASCADE,
    from_session_id uuid NOT NULL,
    to_session_id uuid NOT NULL,
    state text NOT NULL DEFAULT 'moving'
        CONSTRAINT registration_move_state_check CHECK (state IN ('moving', 'moved', 'refused')),
    refusal text,
    requested_at timestamptz NOT NULL,
    decided_at timestamptz
);
CREATE UNIQUE INDEX registration_move_one_at_a_time_idx ON registration_move (registration_id) WHERE state = 'moving';
CREATE INDEX registration_move_registration_id_idx ON registration_move (registration_id, id);
"""

DOWNGRADE = "DROP TABLE registration_move;"


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
