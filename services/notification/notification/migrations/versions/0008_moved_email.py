"""notification: the email telling a registrant that staff moved them to another session of the event

Revision ID: 0008
Revises: 0007
"""

from notification.migrations.email_kinds import add_kind
from treffpunkt_shared.migrations import execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE, DOWNGRADE = add_kind("moved")


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
