"""Public calendar feeds (iCalendar, built with `icalendar`): the published events, and those of one
organising organisation, for calendar programs to subscribe to.

Each event is one entry with a stable UID, so a calendar that reloads the feed updates it in place;
an event that is cancelled leaves the feed. Times are in UTC, which every calendar shows in its own
zone. Read from the local copy of the catalog, like the pages.
"""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Response
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from treffpunkt_shared.catalog_copy import published_events
from treffpunkt_shared.contracts.catalog import Event

from ..texts import texts
from .dependencies import Pool, Settings
from .pages import BERLIN

router = APIRouter(include_in_schema=False)
CALENDAR_TYPE = "text/calendar; charset=utf-8"


@router.get("/events.ics")
async def all_events(pool: Pool, settings: Settings) -> Response:
    t = texts("de")
    return _feed(await published_events(pool), f"Treffpunkt: {t['events']}", settings.base_url)


@router.get("/organisations/{organisation_id}/events.ics")
async def events_of_organisation(organisation_id: UUID, pool: Pool, settings: Settings) -> Response:
    """An organisation without published events gets an empty calendar: a subscription made before its
    first event fills once it is published."""
    events = [e for e in await published_events(pool) if any(o.id == organisation_id for o in e.organisers)]
    names = {o.name for e in events for o in e.organisers if o.id == organisation_id}
    name = f"Treffpunkt: {names.pop()}" if names else f"Treffpunkt: {texts('de')['events']}"
    return _feed(events, name, settings.base_url)


def _feed(events: list[Event], name: str, base_url: str) -> Response:
    t = texts("de")
    calendar = Calendar()
    calendar.add("prodid", "-//Treffpunkt//Registration//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = datetime.now(UTC)
    for event in events:
        form = f"{base_url}/events/{event.id}/register"
        item = CalendarEvent()
        item.add("uid", f"{event.id}@treffpunkt")
        item.add("dtstamp", stamp)
        item.add("dtstart", event.starts_at.astimezone(UTC))
        item.add("dtend", event.ends_at.astimezone(UTC))
        item.add("summary", event.title)
        item.add("location", ", ".join(part for part in (event.venue_name, event.venue_address) if part))
        lines = [event.description] if event.description else []
        if event.organisers:
            lines.append(f"{t['organisers']}: {', '.join(o.name for o in event.organisers)}")
        lines.append(f"{t['deadline']}: {event.registration_deadline.astimezone(BERLIN):%d.%m.%Y, %H:%M}")
        lines.append(f"{t['register']}: {form}")
        item.add("description", "\n".join(lines))
        item.add("url", form)
        item.add("status", "CONFIRMED")
        calendar.add_component(item)
    return Response(calendar.to_ical(), media_type=CALENDAR_TYPE)
