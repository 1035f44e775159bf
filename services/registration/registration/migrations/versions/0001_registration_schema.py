"""registration: messaging tables, staff tokens, the local copy of the catalog

Revision ID: 0001
Revises:
"""

from treffpunkt_shared.catalog_copy import CATALOG_COPY_TABLES_V1
from treffpunkt_shared.messaging.schema import MESSAGING_TABLES_V1, MESSAGING_TABLES_V1_DOWN
from treffpunkt_shared.migrations import execute_script
from treffpunkt_shared.staff_access import STAFF_TOKENS_V1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(MESSAGING_TABLES_V1)
    execute_script(STAFF_TOKENS_V1)
    execute_script(CATALOG_COPY_TABLES_V1)


def downgrade() -> None:
    execute_script("DROP TABLE catalog_session; DROP TABLE catalog_event; DROP TABLE staff_token;")
    execute_script(MESSAGING_TABLES_V1_DOWN)
