"""The public HTML pages (German by default)."""

from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from treffpunkt_shared.catalog_copy import published_events

BERLIN = ZoneInfo("Europe/Berlin")

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.filters["local_time"] = lambda value, fmt="%d.%m.%Y, %H:%M": value.astimezone(BERLIN).strftime(fmt)

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def event_list(request: Request) -> HTMLResponse:
    events = await published_events(request.app.state.pool)
    return templates.TemplateResponse(request, "events.html", {"events": events})
