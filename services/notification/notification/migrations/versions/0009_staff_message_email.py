"""notification: the emails of staff messages to an event's participants (one per message and registration)

Revision ID: 0009
Revises: 0008
"""

from notification.migrations.email_kinds import add_kind
from treffpunkt_shared.migrations import execute_script

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UPGRADE, DOWNGRADE = add_kind("staff_message")


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
