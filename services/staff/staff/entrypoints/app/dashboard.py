"""The dashboard: the upcoming events the account may see, each session's fill level (seats taken of capacity,
the waiting list's length), the deadline and the registrations of the last 24 hours. The figures are a
fragment of their own that htmx reloads every few seconds; without JavaScript the page's refresh link (or a
reload) does the same."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ...adapters.service_calls import ServiceCalls, ServiceRefused
from ..app_page import PageDep, StaffPage
from .catalog_names import catalog_names

router = APIRouter(include_in_schema=False)

REFRESH_SECONDS = 10
RECENT = timedelta(hours=24)


async def _recent_registrations(calls: ServiceCalls, event_id: str, now: datetime) -> int | None:
    """How many of the event's registrations (those the account may see) came in the last 24 hours."""
    try:
        registrations = await calls.get("registration", f"/api/staff/events/{event_id}/registrations")
    except ServiceRefused:
        return None
    since = now - RECENT
    return sum(1 for r in registrations if datetime.fromisoformat(r["created_at"]) >= since)


async def upcoming(page: StaffPage) -> list[dict[str, Any]] | None:
    """The events not yet over and not cancelled, by start, each with `recent`; None when the catalog is away."""
    try:
        events = await page.calls.get("catalog", "/api/staff/events",
                                      params={"status": ["draft", "published", "closed"]})
    except ServiceRefused:
        return None
    events = [e for e in events if datetime.fromisoformat(e["ends_at"]) >= page.now]
    counts = await asyncio.gather(*(_recent_registrations(page.calls, e["id"], page.now) for e in events))
    return [event | {"recent": count} for event, count in zip(events, counts, strict=True)]


@router.get("/", response_class=HTMLResponse)
async def dashboard(page: PageDep) -> HTMLResponse:
    events, names = await asyncio.gather(upcoming(page), catalog_names(page))
    roles = names.roles(page, page.who.account.memberships)
    return page.render("app/dashboard.html", events=events, roles=roles, refresh_seconds=REFRESH_SECONDS)


@router.get("/dashboard/figures", response_class=HTMLResponse)
async def figures(page: PageDep) -> HTMLResponse:
    """The figures alone, for htmx to swap in."""
    return page.render("app/_dashboard_figures.html", events=await upcoming(page))
