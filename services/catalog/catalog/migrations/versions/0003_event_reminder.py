"""catalog: each event's reminder schedule (by default two days before the start at 09:00 Europe/Berlin)

The time is a local time of day without offset: the reminder follows Berlin's clocks in summer and
winter. Existing events get the default.

Revision ID: 0003
Revises: 0002
"""

from treffpunkt_shared.migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE event
        ADD COLUMN reminder_enabled boolean NOT NULL DEFAULT true,
        ADD COLUMN reminder_days_before integer NOT NULL DEFAULT 2
            CONSTRAINT event_reminder_days_before_check CHECK (reminder_days_before BETWEEN 0 AND 60),
        ADD COLUMN reminder_local_time time without time zone NOT NULL DEFAULT '09:00';
    """)


def downgrade() -> None:
    execute_script("""
    ALTER TABLE event DROP COLUMN reminder_enabled, DROP COLUMN reminder_days_before, DROP COLUMN reminder_local_time;
    """)
