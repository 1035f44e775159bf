"""Staff's participant list: filters, search and sorts decided in SQL, the exports holding exactly what the list
with the same query shows, bad values refused naming the field; one registration with its status history and
its causes; cancelling on the person's behalf with a reason (in the event for the person's email, not in the
audit trail). Real catalog and registration services."""

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from ..waiting import wait_until

# Three for session 1 (one seat, two waiting), one for session 2: (key, session index, person).
PEOPLE = (
    ("alma", 0, {"first_name": "Alma", "last_name": "Zander", "organisation": "Stadtwerke Kassel"}),
    ("bruno", 0, {"first_name": "Bruno", "last_name": "Yilmaz", "organisation": "Stadtwerke Kassel"}),
    ("clara", 0, {"first_name": "Clara", "last_name": "Xu", "organisation": "Stadtwerke Kassel"}),
    ("dora", 1, {"first_name": "Dora", "last_name": "Weber", "organisation": "Bäckerei Körner"}),
)


@pytest.fixture
async def filled(saga):
    """One event with two sessions: session 1 (1 seat, 2 waiting) takes Alma (confirmed), then Bruno and Clara
    (waitlisted, in that order); session 2 (5 seats) takes Dora. Dora's organisation is the odd one out."""
    event = await saga.create_event([(1, 2), (5, 0)])
    first, second = event["sessions"]
    people = {}
    for key, number, person in PEOPLE:
        extra = {"email": "dora.weber@example.org"} if key == "dora" else {}
        answer = await saga.register(event, event["sessions"][number], wait=5, **person, **extra)
        assert answer.status_code == 201, answer.text
        people[key] = answer.json()
    assert [people[k]["status"] for k in ("alma", "bruno", "clara", "dora")] == [
        "confirmed", "waitlisted", "waitlisted", "confirmed"]
    return {"event": event, "people": people, "first": first, "second": second,
            "url": f"/api/staff/events/{event['id']}/registrations"}


async def _ids(saga, filled, **params) -> list[str]:
    answer = await saga.registration.client.get(filled["url"], params=params, headers=saga.registration_staff)
    assert answer.status_code == 200, answer.text
    return [r["id"] for r in answer.json()]


def _of(filled, *keys: str) -> list[str]:
    return [filled["people"][k]["id"] for k in keys]


async def test_the_list_filters_searches_and_sorts(saga, filled):
    assert await _ids(saga, filled, session_id=filled["second"]["id"]) == _of(filled, "dora")
    assert await _ids(saga, filled, status="waitlisted") == _of(filled, "bruno", "clara")
    assert await _ids(saga, filled, status=["waitlisted", "confirmed"], sort="last_name") == _of(
        filled, "dora", "clara", "bruno", "alma")
    assert await _ids(saga, filled, organisation="KÖRNER") == _of(filled, "dora")
    assert await _ids(saga, filled, q="yilm") == _of(filled, "bruno")
    assert await _ids(saga, filled, q="dora.weber@") == _of(filled, "dora")
    # Nothing a person types is a wildcard.
    assert await _ids(saga, filled, q="%") == []
    assert await _ids(saga, filled, sort="-last_name") == _of(filled, "alma", "bruno", "clara", "dora")
    assert await _ids(saga, filled, sort="created_at") == _of(filled, "alma", "bruno", "clara", "dora")
    assert await _ids(saga, filled, sort="-created_at") == _of(filled, "dora", "clara", "bruno", "alma")
    assert await _ids(saga, filled, sort="status") == _of(filled, "alma", "dora", "bruno", "clara")
    assert await _ids(saga, filled) == _of(filled, "alma", "bruno", "clara", "dora")  # by session, then time

    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    assert await _ids(saga, filled, registered_from=str(today), registered_to=str(today)) == _of(
        filled, "alma", "bruno", "clara", "dora")
    assert await _ids(saga, filled, registered_from=str(today + timedelta(days=1))) == []
    assert await _ids(saga, filled, registered_to=str(today - timedelta(days=1))) == []

    answer = await saga.registration.client.get(filled["url"], params={"status": "waitlisted", "sort": "status"},
                                                headers=saga.registration_staff)
    assert [r["waitlist_position"] for r in answer.json()] == [1, 2]


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "maybe"}, "status"), ({"sort": "age"}, "sort"), ({"registered_from": "gestern"}, "registered_from"),
    ({"registered_from": "2027-03-02", "registered_to": "2027-03-01"}, "registered_to"),
    ({"session_id": "nope"}, "session_id"), ({"q": "a\x00b"}, "q"), ({"organisation": "x" * 201}, "organisation"),
])
async def test_bad_values_are_refused_naming_the_field(saga, params, field):
    event = await saga.create_event([(1, 0)])
    url = f"/api/staff/events/{event['id']}/registrations"
    for path in (url, f"{url}.csv"):
        answer = await saga.registration.client.get(path, params=params, headers=saga.registration_staff)
        assert answer.status_code == 422, answer.text
        assert field in [error["loc"][1] for error in answer.json()["detail"]], answer.text


async def test_the_exports_hold_exactly_what_the_list_with_the_same_query_shows(saga, filled):
    params = {"organisation": "stadtwerke", "status": ["confirmed", "waitlisted"], "sort": "-last_name"}
    listed = (await saga.registration.client.get(filled["url"], params=params, headers=saga.registration_staff)).json()
    expected = [(r["last_name"], r["first_name"], r["status"]) for r in listed]
    assert [name for name, _, _ in expected] == ["Zander", "Yilmaz", "Xu"]

    csv_file = await saga.registration.client.get(f"{filled['url']}.csv", params=params, headers=saga.registration_staff)
    header, *rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    column = {title: header.index(title) for title in ("Nachname", "Vorname", "Status", "Warteliste")}
    assert [(r[column["Nachname"]], r[column["Vorname"]], r[column["Status"]]) for r in rows] == expected
    assert [r[column["Warteliste"]] for r in rows] == ["", "1", "2"]

    xlsx_file = await saga.registration.client.get(f"{filled['url']}.xlsx", params=params, headers=saga.registration_staff)
    sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [(v[column["Nachname"]], v[column["Vorname"]], v[column["Status"]]) for v in values[1:]] == expected


async def test_a_registration_with_its_history_and_a_cancellation_with_a_reason(saga, filled):
    alma, bruno = filled["people"]["alma"], filled["people"]["bruno"]
    client, headers = saga.registration.client, saga.registration_staff
    detail = await client.get(f"/api/staff/registrations/{bruno['id']}", headers=headers)
    assert detail.status_code == 200, detail.text
    assert detail.json()["waitlist_position"] == 1 and detail.json()["last_name"] == "Yilmaz"
    assert [(c["status"], c["caused_by"]) for c in detail.json()["status_history"]] == [
        ("pending", "registrant"), ("waitlisted", "seat_decision")]

    too_long = await client.post(f"/api/staff/registrations/{alma['id']}/cancel", headers=headers,
                                 json={"reason": "x" * 501})
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["body", "reason"], too_long.text
    reason = "Die Sitzung ist für Mitglieder vorgesehen.\nBitte melden Sie sich für Sitzung 2 an."
    cancelled = await client.post(f"/api/staff/registrations/{alma['id']}/cancel", headers=headers,
                                  json={"reason": reason})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled", cancelled.text

    async def moved_up() -> bool:
        return (await saga.status(bruno))["status"] == "confirmed"

    await wait_until(moved_up, what="Bruno moving up")
    history = (await client.get(f"/api/staff/registrations/{bruno['id']}", headers=headers)).json()["status_history"]
    assert [(c["status"], c["caused_by"]) for c in history] == [
        ("pending", "registrant"), ("waitlisted", "seat_decision"), ("confirmed", "waitlist_move_up")]
    assert [datetime.fromisoformat(c["at"]) for c in history] == sorted(datetime.fromisoformat(c["at"]) for c in history)
    history = (await client.get(f"/api/staff/registrations/{alma['id']}", headers=headers)).json()["status_history"]
    assert [(c["status"], c["caused_by"]) for c in history] == [
        ("pending", "registrant"), ("confirmed", "seat_decision"), ("cancelled", "staff")]

    # The reason travels in the event to the notification service, and is in no audit entry.
    [message] = await saga.registration.fetch(
        "SELECT (body->'payload')::text AS payload FROM outbox_message WHERE message_key = $1 AND event_type = 'RegistrationCancelled'",
        alma["id"])
    assert json.loads(message["payload"])["reason"] == reason
    audited = await saga.registration.fetch("SELECT * FROM audit_entry WHERE action = 'registration.cancelled'")
    assert len(audited) == 1 and "Mitglieder" not in str(dict(audited[0]))

    # Without a body, as before: no reason.
    dora = filled["people"]["dora"]
    assert (await client.post(f"/api/staff/registrations/{dora['id']}/cancel", headers=headers)).status_code == 200
    [message] = await saga.registration.fetch(
        "SELECT (body->'payload')::text AS payload FROM outbox_message WHERE message_key = $1 AND event_type = 'RegistrationCancelled'",
        dora["id"])
    assert json.loads(message["payload"])["reason"] is None
