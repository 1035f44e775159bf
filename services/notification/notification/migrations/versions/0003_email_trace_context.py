"""notification: each email keeps the trace context of the message that queued it

The sender works on emails after the consumer's transaction, in another task or replica: the
stored W3C trace context (`traceparent`) lets its SMTP send continue the registration's trace.
Empty when tracing is off.

Revision ID: 0003
Revises: 0002
"""

from treffpunkt_shared.migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = "ALTER TABLE email ADD COLUMN trace_context jsonb NOT NULL DEFAULT '{}'::jsonb;"

DOWNGRADE = "ALTER TABLE email DROP COLUMN trace_context;"


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
