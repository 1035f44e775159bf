"""Messaging plumbing shared by the services: outbox, inbox, broker setup."""
