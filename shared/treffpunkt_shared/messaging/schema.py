"""Tables every service has for its messaging, created by each service's first migration."""

OUTBOX_CHANNEL = "outbox"

MESSAGING_TABLES_V1 = """
CREATE TABLE outbox_message (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT outbox_message_pkey PRIMARY KEY,
    event_id uuid NOT NULL CONSTRAINT outbox_message_event_id_key UNIQUE,
    topic text NOT NULL,
    message_key text NOT NULL,
    event_type text NOT NULL,
    body jsonb NOT NULL,
    headers jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_message_unpublished_idx ON outbox_message (id) WHERE published_at IS NULL;

CREATE TABLE inbox_message (
    consumer text NOT NULL,
    event_id uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inbox_message_pkey PRIMARY KEY (consumer, event_id)
);
CREATE INDEX inbox_message_processed_at_idx ON inbox_message (processed_at);
"""

MESSAGING_TABLES_V1_DOWN = "DROP TABLE inbox_message; DROP TABLE outbox_message;"
