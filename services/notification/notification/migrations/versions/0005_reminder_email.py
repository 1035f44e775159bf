"""notification: the reminder of an event, sent to its confirmed participants at the event's schedule

Revision ID: 0005
Revises: 0004
"""

from notification.migrations.email_kinds import add_kind
from treffpunkt_shared.migrations import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ADD, _REMOVE = add_kind("reminder")
# Which registrations have their reminder: asked for each event every round of the schedule.
UPGRADE = _ADD + "CREATE INDEX email_reminder_registration_id_idx ON email (registration_id) WHERE kind = 'reminder';\n"
DOWNGRADE = "DROP INDEX email_reminder_registration_id_idx;\n" + _REMOVE


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
