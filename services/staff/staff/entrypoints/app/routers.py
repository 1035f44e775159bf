"""The staff app's areas, each a router of its own (one line each)."""

from . import dashboard, participant_pages

ROUTERS = [
    dashboard.router,
    participant_pages.router,
]
