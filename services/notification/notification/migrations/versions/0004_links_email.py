"""notification: the email with a registration's links, sent again on request

Revision ID: 0004
Revises: 0003
"""

from notification.migrations.email_kinds import add_kind
from treffpunkt_shared.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE, DOWNGRADE = add_kind("links")


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
