"""The staff app's areas, each a router of its own (one line each)."""

from . import dashboard

ROUTERS = [
    dashboard.router,
]
