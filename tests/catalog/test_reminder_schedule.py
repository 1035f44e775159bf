"""An event's reminder schedule: the default, staff changing it or switching it off, refusals naming the
field, and the schedule inside the event's snapshot on the catalog topic."""

from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC, Event
from treffpunkt_shared.contracts.envelope import Envelope

from .test_api import created, error_fields, event_body

DEFAULT = {"enabled": True, "days_before": 2, "local_time": "09:00"}


async def test_staff_set_change_and_switch_off_the_reminder_and_the_snapshots_carry_it(catalog, staff, read_topic):
    client = catalog.client
    event = await created(client, staff, "events", event_body())
    assert event["reminder"] == DEFAULT
    other = await created(client, staff, "events", event_body(
        reminder={"days_before": 1, "local_time": "18:30"}))
    assert other["reminder"] == {"enabled": True, "days_before": 1, "local_time": "18:30"}

    changed = await client.patch(f"/api/staff/events/{event['id']}", headers=staff,
                                 json={"reminder": {"days_before": 0, "local_time": "07:15"}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["reminder"] == {"enabled": True, "days_before": 0, "local_time": "07:15"}
    # Sent whole: what is left out takes its default.
    off = await client.patch(f"/api/staff/events/{event['id']}", headers=staff, json={"reminder": {"enabled": False}})
    assert off.json()["reminder"] == {"enabled": False, "days_before": 2, "local_time": "09:00"}
    # Another change leaves the schedule as it is.
    await client.patch(f"/api/staff/events/{event['id']}", headers=staff, json={"title": "Neuer Titel"})
    stored = (await client.get(f"/api/staff/events/{event['id']}", headers=staff)).json()
    assert stored["reminder"] == off.json()["reminder"] and stored["title"] == "Neuer Titel"

    records = await read_topic(CATALOG_TOPIC, count=4, raw=True, key=event["id"])
    snapshots = [Event.model_validate(Envelope.model_validate_json(r.value).payload["event"]) for r in records]
    assert [(s.reminder.enabled, s.reminder.days_before, s.reminder.local_time)
            for s in snapshots] == [(True, 2, "09:00"), (True, 0, "07:15"), (False, 2, "09:00"), (False, 2, "09:00")]


async def test_a_wrong_schedule_is_refused_naming_its_field_and_changes_nothing(catalog, staff):
    client = catalog.client
    event = await created(client, staff, "events", event_body())

    async def patch(reminder) -> list[list]:
        return error_fields(await client.patch(f"/api/staff/events/{event['id']}", headers=staff,
                                               json={"reminder": reminder}))

    assert await patch({"days_before": -1}) == [["body", "reminder", "days_before"]]
    assert await patch({"days_before": 61}) == [["body", "reminder", "days_before"]]
    assert await patch({"local_time": "25:00"}) == [["body", "reminder", "local_time"]]
    # Berlin's clocks, summer and winter: an offset would pin it to one of them.
    assert await patch({"local_time": "09:00+01:00"}) == [["body", "reminder", "local_time"]]
    assert await patch({"enabled": "vielleicht"}) == [["body", "reminder", "enabled"]]
    assert await patch({"tage_vorher": 3}) == [["body", "reminder", "tage_vorher"]]
    assert await patch(None) == [["body", "reminder"]]
    assert error_fields(await client.post("/api/staff/events", headers=staff,
                                          json=event_body(reminder={"days_before": "zwei"}))) == [
        ["body", "reminder", "days_before"]]

    stored = (await client.get(f"/api/staff/events/{event['id']}", headers=staff)).json()
    assert stored["reminder"] == DEFAULT
