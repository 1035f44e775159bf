"""staff: accounts and memberships, sign-in sessions, signing keys, audit entries, machine tokens, outbox,
rate limit counters

Revision ID: 0001
Revises:
"""

from treffpunkt_shared.messaging.schema import MESSAGING_TABLES_V1, MESSAGING_TABLES_V1_DOWN
from treffpunkt_shared.migrations import execute_script
from treffpunkt_shared.rate_limits import RATE_LIMITS_V1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(MESSAGING_TABLES_V1)
    execute_script(RATE_LIMITS_V1)
    execute_script("""
    CREATE TABLE staff_account (
        id uuid CONSTRAINT staff_account_pkey PRIMARY KEY,
        email text NOT NULL,
        display_name text NOT NULL,
        language text NOT NULL DEFAULT 'de' CONSTRAINT staff_account_language_check CHECK (language IN ('de', 'en')),
        active boolean NOT NULL DEFAULT true,
        -- argon2id (PHC string); NULL: no password (signs in through the identity provider, or not yet invited)
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- One account per address, whatever its case.
    CREATE UNIQUE INDEX staff_account_email_key ON staff_account (lower(email));

    CREATE TABLE staff_membership (
        account_id uuid NOT NULL CONSTRAINT staff_membership_account_id_fkey
            REFERENCES staff_account (id) ON DELETE CASCADE,
        role text NOT NULL CONSTRAINT staff_membership_role_check CHECK (role IN ('admin', 'organiser', 'contact')),
        organisation_id uuid,
        contact_person_id uuid,
        CONSTRAINT staff_membership_scope_check CHECK (
            (role = 'admin' AND organisation_id IS NULL AND contact_person_id IS NULL)
            OR (role = 'organiser' AND organisation_id IS NOT NULL AND contact_person_id IS NULL)
            OR (role = 'contact' AND organisation_id IS NULL AND contact_person_id IS NOT NULL)),
        CONSTRAINT staff_membership_key UNIQUE NULLS NOT DISTINCT (account_id, role, organisation_id, contact_person_id)
    );

    -- A signed-in browser. The cookie holds a random token; only its SHA-256 is kept, so the table's rows
    -- cannot be replayed as cookies. `csrf_token`: the synchronizer token of the session's forms and calls.
    CREATE TABLE sign_in_session (
        token_hash text CONSTRAINT sign_in_session_pkey PRIMARY KEY,
        account_id uuid NOT NULL CONSTRAINT sign_in_session_account_id_fkey
            REFERENCES staff_account (id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL
    );
    CREATE INDEX sign_in_session_account_id_idx ON sign_in_session (account_id);

    -- The keys that sign access tokens (private JWK, Ed25519). The newest one not retired signs; a retired
    -- one stays published in the JWKS while tokens it signed may still be valid.
    CREATE TABLE signing_key (
        kid text CONSTRAINT signing_key_pkey PRIMARY KEY,
        private_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz
    );

    -- Tokens for scripts and integrations, stored as SHA-256; their state goes out on staff.token.v1.
    CREATE TABLE machine_token (
        id uuid CONSTRAINT machine_token_pkey PRIMARY KEY,
        name text NOT NULL,
        token_hash text NOT NULL CONSTRAINT machine_token_token_hash_key UNIQUE,
        organisation_id uuid,
        can_write boolean NOT NULL,
        created_by uuid CONSTRAINT machine_token_created_by_fkey REFERENCES staff_account (id),
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
    );

    -- Who did what to what, when: an account's id or a token's name, never a password or an address in clear.
    CREATE TABLE audit_entry (
        id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT audit_entry_pkey PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        actor text NOT NULL,
        actor_account_id uuid,
        action text NOT NULL,
        target_id text
    );
    CREATE INDEX audit_entry_actor_account_id_idx ON audit_entry (actor_account_id, id);
    CREATE INDEX audit_entry_target_id_idx ON audit_entry (target_id, id);
    """)


def downgrade() -> None:
    execute_script("DROP TABLE audit_entry; DROP TABLE machine_token; DROP TABLE signing_key; "
                   "DROP TABLE sign_in_session; DROP TABLE staff_membership; DROP TABLE staff_account; "
                   "DROP TABLE rate_limit;")
    execute_script(MESSAGING_TABLES_V1_DOWN)
