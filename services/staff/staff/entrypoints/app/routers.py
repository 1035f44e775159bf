"""The staff app's areas, each a router of its own (one line each)."""

from . import dashboard, messages

ROUTERS = [
    dashboard.router,
    messages.router,
]
