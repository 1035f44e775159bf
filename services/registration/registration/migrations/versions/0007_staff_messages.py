"""registration: the messages staff wrote to an event's participants (what was sent to whom as a group; each
recipient's copy is a `StaffMessageToParticipant` in the outbox, written in the same transaction)

Revision ID: 0007
Revises: 0006
"""

from treffpunkt_shared.migrations import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# No recipient's data here: the group (audience, session) and how many it reached. The sender is the staff
# member (actor as in the audit trail).
UPGRADE = """
CREATE TABLE staff_message (
    id uuid CONSTRAINT staff_message_pkey PRIMARY KEY,
    event_id uuid NOT NULL,
    session_id uuid,
    audience text NOT NULL CONSTRAINT staff_message_audience_check CHECK (audience IN ('confirmed', 'waitlisted', 'all')),
    subject text NOT NULL,
    body text NOT NULL,
    recipients integer NOT NULL,
    sent_by text NOT NULL,
    sent_by_name text NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_message_event_id_idx ON staff_message (event_id, sent_at);
"""

DOWNGRADE = "DROP TABLE staff_message;"


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
