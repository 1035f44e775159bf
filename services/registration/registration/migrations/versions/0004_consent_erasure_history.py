"""registration: the consent record, erasure (an anonymous row stays), the status history

The consent record is what the person agreed to: the privacy notice's URL, version and SHA-256 and the
controller named, with the registration's language and `consent_at`. Erasure empties every personal
column (hence nullable) and keeps ids, status and times for the statistics. The status history is
written by a trigger: the status changes in several statements (one of them the registration's own
insert on the hot path), and the history must miss none.

Revision ID: 0004
Revises: 0003
"""

from treffpunkt_shared.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE registration
    ALTER COLUMN first_name DROP NOT NULL, ALTER COLUMN last_name DROP NOT NULL, ALTER COLUMN email DROP NOT NULL,
    ALTER COLUMN email_normalised DROP NOT NULL, ALTER COLUMN organisation DROP NOT NULL,
    ADD COLUMN consent_notice_url text, ADD COLUMN consent_notice_version text,
    ADD COLUMN consent_notice_sha256 text, ADD COLUMN consent_controller text,
    ADD COLUMN erased_at timestamptz,
    ADD COLUMN erased_because text CONSTRAINT registration_erased_because_check
        CHECK (erased_because IN ('retention', 'registrant', 'staff'));
-- Erasure deletes a registration's outbox rows by their key: without an index, a scan of every row ever published.
CREATE INDEX outbox_message_message_key_idx ON outbox_message (message_key);
CREATE INDEX registration_event_not_erased_idx ON registration (event_id) WHERE erased_at IS NULL;
CREATE INDEX registration_email_normalised_idx ON registration (email_normalised) WHERE erased_at IS NULL;

CREATE TABLE registration_status_change (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT registration_status_change_pkey PRIMARY KEY,
    registration_id uuid NOT NULL CONSTRAINT registration_status_change_registration_id_fkey
        REFERENCES registration (id) ON DELETE CASCADE,
    status text NOT NULL,
    changed_at timestamptz NOT NULL
);
CREATE INDEX registration_status_change_registration_id_idx ON registration_status_change (registration_id, id);

-- The emails the notification service sent about a registration (from its delivery events), for the
-- registrant's "my data" page: what, when, with which subject. No address: it is the registration's own.
CREATE TABLE registration_email (
    message_id text CONSTRAINT registration_email_pkey PRIMARY KEY,
    registration_id uuid NOT NULL CONSTRAINT registration_email_registration_id_fkey
        REFERENCES registration (id) ON DELETE CASCADE,
    kind text NOT NULL,
    subject text,
    status text NOT NULL CONSTRAINT registration_email_status_check CHECK (status IN ('sent', 'failed')),
    settled_at timestamptz NOT NULL
);
CREATE INDEX registration_email_registration_id_idx ON registration_email (registration_id, settled_at);

CREATE FUNCTION registration_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO registration_status_change (registration_id, status, changed_at)
    VALUES (NEW.id, NEW.status, NEW.updated_at);
    RETURN NULL;
END $$;
CREATE TRIGGER registration_status_inserted AFTER INSERT ON registration
    FOR EACH ROW EXECUTE FUNCTION registration_status_changed();
CREATE TRIGGER registration_status_updated AFTER UPDATE OF status ON registration
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION registration_status_changed();
"""

DOWNGRADE = """
DROP TRIGGER registration_status_updated ON registration;
DROP TRIGGER registration_status_inserted ON registration;
DROP FUNCTION registration_status_changed();
DROP TABLE registration_email;
DROP TABLE registration_status_change;
DROP INDEX registration_email_normalised_idx;
DROP INDEX registration_event_not_erased_idx;
DROP INDEX outbox_message_message_key_idx;
DELETE FROM registration WHERE erased_at IS NOT NULL;
ALTER TABLE registration
    DROP COLUMN erased_because, DROP COLUMN erased_at, DROP COLUMN consent_controller,
    DROP COLUMN consent_notice_sha256, DROP COLUMN consent_notice_version, DROP COLUMN consent_notice_url,
    ALTER COLUMN first_name SET NOT NULL, ALTER COLUMN last_name SET NOT NULL, ALTER COLUMN email SET NOT NULL,
    ALTER COLUMN email_normalised SET NOT NULL, ALTER COLUMN organisation SET NOT NULL;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
