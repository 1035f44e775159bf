"""The staff app's areas, each a router of its own (one line each)."""

from . import (
    accounts_pages,
    audit_pages,
    catalog_pages,
    contact_pages,
    dashboard,
    erasure_pages,
    events_pages,
    message_pages,
    participant_pages,
    tokens_pages,
)

ROUTERS = [
    dashboard.router,
    erasure_pages.router,
    accounts_pages.router,
    tokens_pages.router,
    contact_pages.router,
    audit_pages.router,
    catalog_pages.router,
    events_pages.router,
    participant_pages.router,
    message_pages.router,
]
