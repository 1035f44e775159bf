"""registration: machine tokens copied from the staff service (token id, scope), the audit trail

Revision ID: 0005
Revises: 0004
"""

from treffpunkt_shared.audit import STAFF_AUTHORIZATION_V1, STAFF_AUTHORIZATION_V1_DOWN
from treffpunkt_shared.migrations import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(STAFF_AUTHORIZATION_V1)


def downgrade() -> None:
    execute_script(STAFF_AUTHORIZATION_V1_DOWN)
