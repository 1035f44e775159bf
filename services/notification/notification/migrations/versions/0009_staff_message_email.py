"""notification: the emails of staff messages to an event's participants (one per message and registration)

Revision ID: 0009
Revises: 0008
"""

from treffpunkt_shared.migrations import execute_script

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_KINDS = ("'confirmed', 'waitlisted', 'promoted', 'rejected', 'cancelled', 'event_changed', 'event_cancelled', "
          "'contact_notice', 'contact_digest', 'links', 'reminder', 'moved'")

UPGRADE = f"""
ALTER TABLE email DROP CONSTRAINT email_kind_check;
ALTER TABLE email ADD CONSTRAINT email_kind_check CHECK (kind IN ({_KINDS}, 'staff_message'));
"""

DOWNGRADE = f"""
DELETE FROM email WHERE kind = 'staff_message';
ALTER TABLE email DROP CONSTRAINT email_kind_check;
ALTER TABLE email ADD CONSTRAINT email_kind_check CHECK (kind IN ({_KINDS}));
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
