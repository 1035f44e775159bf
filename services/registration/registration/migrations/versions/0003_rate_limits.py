"""registration: rate limit counters (per client address, recipient address, machine client), machine clients' tokens

Revision ID: 0003
Revises: 0002
"""

from treffpunkt_shared.migrations import execute_script
from treffpunkt_shared.rate_limits import RATE_LIMITS_V1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(RATE_LIMITS_V1)
    execute_script("""
    -- Websites' servers that register people (not staff: their tokens read nothing), stored as hashes.
    CREATE TABLE api_client (
        id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT api_client_pkey PRIMARY KEY,
        name text NOT NULL,
        token_hash text NOT NULL CONSTRAINT api_client_token_hash_key UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE api_client; DROP TABLE rate_limit;")
