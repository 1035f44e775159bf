"""staff: one-time links (invitations, password resets) and TOTP second factors

Revision ID: 0002
Revises: 0001
"""

from treffpunkt_shared.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    -- A link that lets its holder set the account's password once: only the token's SHA-256 is kept.
    CREATE TABLE one_time_link (
        token_hash text CONSTRAINT one_time_link_pkey PRIMARY KEY,
        account_id uuid NOT NULL CONSTRAINT one_time_link_account_id_fkey
            REFERENCES staff_account (id) ON DELETE CASCADE,
        purpose text NOT NULL CONSTRAINT one_time_link_purpose_check CHECK (purpose IN ('invitation', 'password_reset')),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
    );
    CREATE INDEX one_time_link_account_id_idx ON one_time_link (account_id, purpose);

    -- An account's TOTP secret: enrolling until `confirmed_at` (a right code confirms it), then asked at every
    -- password sign-in. `last_used_step`: the 30-second step of the last accepted code (no code twice).
    CREATE TABLE totp_factor (
        account_id uuid CONSTRAINT totp_factor_pkey PRIMARY KEY CONSTRAINT totp_factor_account_id_fkey
            REFERENCES staff_account (id) ON DELETE CASCADE,
        secret text NOT NULL,
        created_at timestamptz NOT NULL,
        confirmed_at timestamptz,
        last_used_step bigint
    );

    -- A sign-in whose password was right and whose TOTP code is still to come: the browser holds the token.
    CREATE TABLE pending_sign_in (
        token_hash text CONSTRAINT pending_sign_in_pkey PRIMARY KEY,
        account_id uuid NOT NULL CONSTRAINT pending_sign_in_account_id_fkey
            REFERENCES staff_account (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE pending_sign_in; DROP TABLE totp_factor; DROP TABLE one_time_link;")
