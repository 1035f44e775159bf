"""notification: the reminder of an event, sent to its confirmed participants at the event's schedule

Revision ID: 0005
Revises: 0004
"""

from treffpunkt_shared.migrations import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_KINDS = ("'confirmed', 'waitlisted', 'promoted', 'rejected', 'cancelled', 'event_changed', 'event_cancelled', "
          "'contact_notice', 'contact_digest', 'links'")

UPGRADE = f"""
ALTER TABLE email DROP CONSTRAINT email_kind_check;
ALTER TABLE email ADD CONSTRAINT email_kind_check CHECK (kind IN ({_KINDS}, 'reminder'));
-- Which registrations have their reminder: asked for each event every round of the schedule.
CREATE INDEX email_reminder_registration_id_idx ON email (registration_id) WHERE kind = 'reminder';
"""

DOWNGRADE = f"""
DROP INDEX email_reminder_registration_id_idx;
DELETE FROM email WHERE kind = 'reminder';
ALTER TABLE email DROP CONSTRAINT email_kind_check;
ALTER TABLE email ADD CONSTRAINT email_kind_check CHECK (kind IN ({_KINDS}));
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
