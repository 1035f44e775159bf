"""registration: rate limit counters (per client address, recipient address, machine client's token)

Revision ID: 0003
Revises: 0002
"""

from treffpunkt_shared.migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `key` is a hash for addresses (no personal data kept), the token's name for machine clients.
    execute_script("""
    CREATE TABLE rate_limit (
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        hits integer NOT NULL,
        CONSTRAINT rate_limit_pkey PRIMARY KEY (key, window_start)
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE rate_limit;")
