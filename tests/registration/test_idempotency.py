"""An Idempotency-Key makes a POST safe to repeat: whatever the timing, one registration, and every
answer is the first one."""

import asyncio

from registration.texts import TEXTS


async def test_requests_with_one_key_at_the_same_time_register_once(saga):
    event = await saga.create_event([(5, 0)])
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]} | saga.person()
    headers = {"Idempotency-Key": "double-click-51c2"}

    answers = await asyncio.gather(*(
        saga.registration.client.post("/api/registrations", json=body, headers=headers) for _ in range(8)))

    assert {answer.status_code for answer in answers} <= {201, 202}, [answer.text for answer in answers]
    assert len({answer.json()["id"] for answer in answers}) == 1
    stored = await saga.registration.fetch("SELECT count(*) AS n FROM registration")
    assert stored[0]["n"] == 1


async def test_a_repeated_request_gets_the_first_answer_after_the_event_has_closed(saga):
    event = await saga.create_event([(5, 0)])
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]} | saga.person()
    headers = {"Idempotency-Key": "retry-after-close-0d9e"}
    first = await saga.registration.client.post("/api/registrations?wait=5", json=body, headers=headers)
    await saga.catalog.client.post(f"/api/staff/events/{event['id']}/close", headers=saga.staff)
    await saga.wait_for_copy(event["id"], status="closed")

    repeated = await saga.registration.client.post("/api/registrations", json=body, headers=headers)
    other = await saga.register(event, event["sessions"][0])

    assert first.status_code == 201
    assert (repeated.status_code, repeated.json()) == (201, first.json())
    assert other.status_code == 409 and other.json()["detail"] == TEXTS["de"]["refused.closed"]
