"""The embedded stack for make dev and the tests: real PostgreSQL, a Kafka-protocol broker, an SMTP mailbox."""
