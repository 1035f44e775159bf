"""staff: OpenID Connect sign-ins under way (state, nonce, PKCE verifier, bound to the browser); a detail on
audit entries (how someone signed in, why a sign-in failed)

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
    -- A sign-in sent to the identity provider and not yet back. Taken (deleted) when the provider sends the
    -- browser back, so a state works once. `browser_hash`: SHA-256 of the random value in the browser's
    -- cookie, so that only the browser that started the sign-in can finish it.
    CREATE TABLE oidc_sign_in (
        state text CONSTRAINT oidc_sign_in_pkey PRIMARY KEY,
        browser_hash text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        language text NOT NULL,  -- of the page it started from, for the pages after it
        created_at timestamptz NOT NULL
    );
    CREATE INDEX oidc_sign_in_created_at_idx ON oidc_sign_in (created_at);

    -- E.g. "oidc" for a sign-in through the identity provider, "oidc: audience" for one refused.
    ALTER TABLE audit_entry ADD COLUMN detail text;
    """)


def downgrade() -> None:
    execute_script("ALTER TABLE audit_entry DROP COLUMN detail; DROP TABLE oidc_sign_in;")
