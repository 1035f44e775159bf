"""The catalog's use cases: one handler per command, each one transaction with its outbox messages."""
