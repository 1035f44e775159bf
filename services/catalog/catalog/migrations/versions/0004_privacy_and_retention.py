"""catalog: each organisation's controller and privacy notice, each event's retention period

What registrants agree to and who is responsible for their data is the organisers'; how long the data
is kept after the event is decided per event (within the operator's bounds, see the settings). Only the
notice's hash is kept here: its text is published at its URL.

Revision ID: 0004
Revises: 0003
"""

from treffpunkt_shared.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE organisation ADD COLUMN controller text, ADD COLUMN privacy_notice_url text,
    ADD COLUMN privacy_notice_version text, ADD COLUMN privacy_notice_sha256 text;
ALTER TABLE event ADD COLUMN retention_days integer NOT NULL DEFAULT 180
    CONSTRAINT event_retention_days_check CHECK (retention_days > 0);
"""

DOWNGRADE = """
ALTER TABLE event DROP COLUMN retention_days;
ALTER TABLE organisation DROP COLUMN controller, DROP COLUMN privacy_notice_url, DROP COLUMN privacy_notice_version,
    DROP COLUMN privacy_notice_sha256;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
