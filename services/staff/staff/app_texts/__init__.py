"""The staff app's words, one module per area (German and English dicts with the same keys), so that areas
change without touching each other; `staff.texts.texts` merges them with the sign-in's words. A key in two
areas is a mistake that a test catches."""

from . import accounts, audit, catalog, contact, erasure, messages, participants, shell

AREAS: list[dict[str, dict[str, str]]] = [
    shell.TEXTS,
    erasure.TEXTS,
    accounts.TEXTS,
    contact.TEXTS,
    audit.TEXTS,
    catalog.TEXTS,
    participants.TEXTS,
    messages.TEXTS,
]
