"""The public calendar feeds: every published event, and those of one organiser, as iCalendar that a
calendar program can subscribe to (parsed here with icalendar)."""

from datetime import timedelta
from uuid import uuid4

import icalendar

from ..saga.scenario import IN_TWO_MONTHS


def _entries(feed: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(feed)
    return {str(item["uid"]): item for item in calendar.walk("VEVENT")}


async def test_feeds_of_all_published_events_and_of_one_organiser(saga):
    chamber = await saga.create_event([(5, 0)], description="Dialog über Gewerbeflächen.",
                                      organisation={"name": "Handwerkskammer Musterstadt"})
    city = await saga.create_event([(5, 0)], title="Standortforum Innenstadt",
                                   starts_at=(IN_TWO_MONTHS + timedelta(days=1)).isoformat(),
                                   ends_at=(IN_TWO_MONTHS + timedelta(days=1, hours=2)).isoformat(),
                                   organisation={"name": "Amt für Wirtschaftsförderung", "kind": "city_office"})
    draft = await saga.create_event([(5, 0)], publish=False, title="Noch nicht veröffentlicht")
    client = saga.registration.client
    chamber_id = chamber["organisers"][0]["id"]

    everything = await client.get("/events.ics")
    of_chamber = await client.get(f"/organisations/{chamber_id}/events.ics")
    of_nobody = await client.get(f"/organisations/{uuid4()}/events.ics")
    not_an_id = await client.get("/organisations/kammer/events.ics")

    assert everything.status_code == 200 and everything.headers["content-type"].startswith("text/calendar")
    entries = _entries(everything.content)
    assert set(entries) == {f"{chamber['id']}@treffpunkt", f"{city['id']}@treffpunkt"}
    assert f"{draft['id']}@treffpunkt" not in entries
    entry = entries[f"{chamber['id']}@treffpunkt"]
    assert str(entry["summary"]) == "Wirtschaft trifft Verwaltung"
    assert entry.decoded("dtstart") == IN_TWO_MONTHS and entry.decoded("dtend") == IN_TWO_MONTHS + timedelta(hours=3)
    assert str(entry["location"]) == "Rathaus Musterstadt"
    assert "Dialog über Gewerbeflächen." in str(entry["description"])
    assert "Veranstalter: Handwerkskammer Musterstadt" in str(entry["description"])
    assert str(entry["url"]) == f"{saga.registration.base_url}/events/{chamber['id']}/register"

    assert set(_entries(of_chamber.content)) == {f"{chamber['id']}@treffpunkt"}
    assert str(icalendar.Calendar.from_ical(of_chamber.content)["x-wr-calname"]) == "Treffpunkt: Handwerkskammer Musterstadt"
    assert of_nobody.status_code == 200 and _entries(of_nobody.content) == {}
    assert not_an_id.status_code == 422
