"""notification: machine tokens copied from the staff service (token id, scope), the audit trail; the sessions'
snapshots indexed for "which sessions list this contact person" (the preference rule asks it per request)

Revision ID: 0007
Revises: 0006
"""

from treffpunkt_shared.audit import STAFF_AUTHORIZATION_V1, STAFF_AUTHORIZATION_V1_DOWN
from treffpunkt_shared.migrations import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(STAFF_AUTHORIZATION_V1)
    execute_script("CREATE INDEX catalog_session_snapshot_idx ON catalog_session USING gin (snapshot jsonb_path_ops);")


def downgrade() -> None:
    execute_script("DROP INDEX catalog_session_snapshot_idx;")
    execute_script(STAFF_AUTHORIZATION_V1_DOWN)
