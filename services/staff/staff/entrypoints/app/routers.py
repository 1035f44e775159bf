"""The staff app's areas, each a router of its own (one line each)."""

from . import catalog_pages, dashboard, events_pages

ROUTERS = [
    dashboard.router,
    catalog_pages.router,
    events_pages.router,
]
