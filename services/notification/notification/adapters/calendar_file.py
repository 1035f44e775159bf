"""Calendar files (`.ics`, iCalendar with iTIP methods) built with the `icalendar` library.

One entry per registration (a stable UID): a later file with a higher SEQUENCE updates it
(METHOD:REQUEST) or removes it (METHOD:CANCEL). Times are Europe/Berlin with the VTIMEZONE that
defines them, so that calendars show the right local time whatever zone they are set to.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from functools import lru_cache

from icalendar import Calendar, Timezone, vCalAddress
from icalendar import Event as CalendarEvent

from treffpunkt_shared.contracts.catalog import Event, Session
from treffpunkt_shared.local_time import BERLIN

from ..domain.model import CalendarMethod


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    sequence: int
    method: CalendarMethod
    event: Event
    session: Session
    organizer: Address
    attendee: Address
    description: str


def calendar_file(entry: CalendarEntry, *, stamp: datetime) -> str:
    event, session = entry.event, entry.session
    starts_at, ends_at = event.starts_at.astimezone(BERLIN), event.ends_at.astimezone(BERLIN)
    calendar = Calendar()
    calendar.add("prodid", "-//Treffpunkt//Notification//DE")
    calendar.add("version", "2.0")
    calendar.add("method", entry.method.value)
    # Only the rules in force around the event's dates, rather than every year since 1970: the file
    # describes this one event, and a calendar needs no more to show its times (a third of the lines).
    calendar.add_component(_berlin(starts_at.date() - timedelta(days=1), ends_at.date() + timedelta(days=1)))

    item = CalendarEvent()
    item.add("uid", entry.uid)
    item.add("sequence", entry.sequence)
    item.add("dtstamp", stamp)
    item.add("dtstart", starts_at)
    item.add("dtend", ends_at)
    item.add("summary", f"{event.title}: {session.title}")
    item.add("location", ", ".join(part for part in (event.venue_name, event.venue_address) if part))
    item.add("description", entry.description)
    item.add("status", "CANCELLED" if entry.method is CalendarMethod.cancel else "CONFIRMED")
    # iTIP wants an organizer and the attendee the file is for; the attendee has no answer to send.
    item.add("organizer", _address(entry.organizer))
    item.add("attendee", _address(entry.attendee), parameters={"PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
    calendar.add_component(item)
    return calendar.to_ical().decode()


@lru_cache(maxsize=64)
def _berlin(first_date: date, last_date: date) -> Timezone:
    """The VTIMEZONE of Europe/Berlin between two dates; made once per event (it is most of the file's cost)."""
    return Timezone.from_tzinfo(BERLIN, first_date=first_date, last_date=last_date)


def _address(address: Address) -> vCalAddress:
    value = vCalAddress(f"mailto:{address.addr_spec}")
    if address.display_name:
        value.params["CN"] = address.display_name
    return value
