"""Staff writing to an event's participants (registration's side): who is among the audience, the preview that
sends nothing, what is stored and queued (one message per recipient, in the outbox), validation errors naming
the field, authorization as for a staff cancellation, the audit entry without personal data."""

import json
from uuid import uuid4

import pytest

from ..staff_tokens import ADMIN, contact, organiser

MESSAGE = {"session_id": None, "audience": "confirmed", "subject": "Raumänderung",
           "body": "Guten Tag,\r\n\r\nwir treffen uns in Raum 2.14."}


@pytest.fixture
async def event(saga):
    """Session 1: 2 seats and 1 waiting-list place, taken by three people; session 2: one confirmed person."""
    event = await saga.create_event([(2, 1), (5, 0)], title="Fachkräfte-Gipfel")
    first, second = event["sessions"]
    people = [(await saga.register(event, first, wait=5, first_name=name)).json() for name in ("Ada", "Ben", "Cem")]
    people.append((await saga.register(event, second, wait=5, first_name="Dora")).json())
    assert [p["status"] for p in people] == ["confirmed", "confirmed", "waitlisted", "confirmed"]
    return event | {"people": people}


def _messages(event: dict) -> str:
    return f"/api/staff/events/{event['id']}/messages"


async def test_the_preview_counts_the_audience_and_names_the_event_and_stores_nothing(saga, event):
    headers = saga.registration.account_headers(organiser(event["organisers"][0]["id"]))
    first = event["sessions"][0]["id"]
    counts = {}
    for session_id, audience in ((first, "confirmed"), (first, "waitlisted"), (first, "all"), (None, "confirmed"),
                                 (None, "all")):
        answer = await saga.registration.client.post(f"{_messages(event)}/preview", headers=headers,
                                                     json=MESSAGE | {"session_id": session_id, "audience": audience})
        assert answer.status_code == 200, answer.text
        counts[(session_id, audience)] = answer.json()["recipients"]
        assert answer.json()["subject"] == "[Fachkräfte-Gipfel] Raumänderung"
        assert answer.json()["body"] == "Guten Tag,\n\nwir treffen uns in Raum 2.14."
    assert counts == {(first, "confirmed"): 2, (first, "waitlisted"): 1, (first, "all"): 3, (None, "confirmed"): 3,
                      (None, "all"): 4}
    assert await saga.registration.fetch("SELECT 1 FROM staff_message") == []
    assert await saga.registration.fetch(
        "SELECT 1 FROM outbox_message WHERE event_type = 'StaffMessageToParticipant'") == []


async def test_sending_stores_the_message_queues_one_copy_per_recipient_and_audits_it(saga, event):
    headers = saga.registration.account_headers(organiser(event["organisers"][0]["id"]), name="Olga Orga")
    first = event["sessions"][0]
    sent = await saga.registration.client.post(_messages(event), headers=headers,
                                               json=MESSAGE | {"session_id": first["id"]})
    assert sent.status_code == 202, sent.text
    assert sent.json()["recipients"] == 2
    message_id = sent.json()["id"]

    copies = await saga.registration.fetch(
        "SELECT message_key, body::text AS body FROM outbox_message WHERE event_type = 'StaffMessageToParticipant' ORDER BY id")
    confirmed = {p["id"]: p for p in event["people"][:2]}
    assert {row["message_key"] for row in copies} == set(confirmed)
    for row in copies:
        payload = json.loads(row["body"])["payload"]
        assert payload["message_id"] == message_id and payload["session_id"] == first["id"]
        assert payload["subject"] == "Raumänderung" and payload["body"] == "Guten Tag,\n\nwir treffen uns in Raum 2.14."
        assert payload["name"].startswith(("Ada ", "Ben ")) and payload["language"] == "de"
        assert "/data?token=" in payload["data_url"]

    listed = await saga.registration.client.get(_messages(event), headers=headers)
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()
    assert {k: entry[k] for k in ("id", "session_id", "audience", "subject", "recipients", "sent_by_name")} == {
        "id": message_id, "session_id": first["id"], "audience": "confirmed", "subject": "Raumänderung",
        "recipients": 2, "sent_by_name": "Olga Orga"}

    trail = await saga.registration.client.get("/api/staff/audit", params={"event_id": event["id"]}, headers=headers)
    assert [(e["action"], e["target_id"]) for e in trail.json()] == [("messages.sent", message_id)]
    stored = await saga.registration.fetch("SELECT to_jsonb(a)::text AS entry FROM audit_entry a")
    people = await saga.registration.fetch("SELECT first_name, last_name, email FROM registration")
    for row in stored:
        assert not any(value in row["entry"] for person in people for value in person.values())


async def test_bad_drafts_are_refused_naming_the_field(saga, event):
    headers = saga.registration.account_headers(ADMIN)
    other = await saga.create_event([(5, 0)], title="Anderswo")
    cases = [
        (MESSAGE | {"subject": "   "}, ["body", "subject"]),
        (MESSAGE | {"subject": "x" * 201}, ["body", "subject"]),
        (MESSAGE | {"subject": "Zwei\nZeilen"}, ["body", "subject"]),
        (MESSAGE | {"body": ""}, ["body", "body"]),
        (MESSAGE | {"body": "x" * 10001}, ["body", "body"]),
        (MESSAGE | {"audience": "everyone"}, ["body", "audience"]),
        ({k: v for k, v in MESSAGE.items() if k != "audience"}, ["body", "audience"]),
        (MESSAGE | {"session_id": "not-an-id"}, ["body", "session_id"]),
        (MESSAGE | {"session_id": other["sessions"][0]["id"]}, ["body", "session_id"]),
    ]
    for path in (_messages(event), f"{_messages(event)}/preview"):
        for body, loc in cases:
            answer = await saga.registration.client.post(path, headers=headers, json=body)
            assert answer.status_code == 422, (body, answer.text)
            assert [d["loc"] for d in answer.json()["detail"]] == [loc], (body, answer.text)
    assert await saga.registration.fetch("SELECT 1 FROM staff_message") == []
    assert await saga.registration.fetch("SELECT 1 FROM audit_entry") == []


async def test_only_admins_and_the_events_organisers_write_to_its_participants(saga, event):
    client = saga.registration.client
    other = await saga.create_event([(5, 0)], organisation={"name": "Stadtverwaltung"})
    refused = {
        "contact": saga.registration.account_headers(contact(event["sessions"][0]["contact_persons"][0]["id"])),
        "organiser of another": saga.registration.account_headers(organiser(other["organisers"][0]["id"])),
    }
    for who, headers in refused.items():
        for answer in (await client.post(_messages(event), headers=headers, json=MESSAGE),
                       await client.post(f"{_messages(event)}/preview", headers=headers, json=MESSAGE),
                       await client.get(_messages(event), headers=headers)):
            assert answer.status_code == 403, (who, answer.text)
    assert (await client.post(_messages(event), json=MESSAGE)).status_code == 401
    unknown = f"/api/staff/events/{uuid4()}/messages"
    assert (await client.post(unknown, headers=saga.registration.account_headers(ADMIN), json=MESSAGE)).status_code == 404
    assert await saga.registration.fetch("SELECT 1 FROM staff_message") == []

    admin = await client.post(_messages(event), headers=saga.registration.account_headers(ADMIN),
                              json=MESSAGE | {"audience": "all"})
    assert admin.status_code == 202 and admin.json()["recipients"] == 4, admin.text
