"""notification: erasure of registrations (`RegistrationErased`), and the "my data" link of each registration

`erased_registration` remembers which registrations were erased (ids only), so that a message about one
that arrives later (redelivered, replayed) brings none of its data back. `registration.data_url` is the
registrant's signed link to "my data", which every email to them carries.

Revision ID: 0006
Revises: 0005
"""

from treffpunkt_shared.migrations import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE registration ADD COLUMN data_url text;
-- Erasure deletes a registration's outbox rows by their key: without an index, a scan of every row ever published.
CREATE INDEX outbox_message_message_key_idx ON outbox_message (message_key);
CREATE TABLE erased_registration (
    id uuid CONSTRAINT erased_registration_pkey PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
"""

DOWNGRADE = """
DROP TABLE erased_registration;
DROP INDEX outbox_message_message_key_idx;
ALTER TABLE registration DROP COLUMN data_url;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
