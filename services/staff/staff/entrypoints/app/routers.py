"""The staff app's areas, each a router of its own (one line each)."""

from . import dashboard, erasure_pages

ROUTERS = [
    dashboard.router,
    erasure_pages.router,
]
