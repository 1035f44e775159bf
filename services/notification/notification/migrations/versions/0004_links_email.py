"""notification: the email with a registration's links, sent again on request

Revision ID: 0004
Revises: 0003
"""

from treffpunkt_shared.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_KINDS = ("'confirmed', 'waitlisted', 'promoted', 'rejected', 'cancelled', 'event_changed', 'event_cancelled', "
          "'contact_notice', 'contact_digest'")

UPGRADE = f"""
ALTER TABLE email DROP CONSTRAINT email_kind_check;
ALTER TABLE email ADD CONSTRAINT email_kind_check CHECK (kind IN ({_KINDS}, 'links'));
"""

DOWNGRADE = f"""
DELETE FROM email WHERE kind = 'links';
ALTER TABLE email DROP CONSTRAINT email_kind_check;
ALTER TABLE email ADD CONSTRAINT email_kind_check CHECK (kind IN ({_KINDS}));
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
