"""Bad registrations get a clear error naming what is wrong, and nothing is stored."""

from datetime import UTC, datetime, timedelta

import pytest

from registration.texts import TEXTS


async def stored(saga) -> int:
    rows = await saga.registration.fetch("SELECT count(*) AS n FROM registration")
    return rows[0]["n"]


def fields(response) -> list:
    return [tuple(error["loc"]) for error in response.json()["detail"]]


@pytest.mark.parametrize(("change", "field"), [
    ({"consent": False}, ("body", "consent")),
    ({"consent": None}, ("body", "consent")),
    ({"email": "not-an-address"}, ("body", "email")),
    ({"first_name": "  "}, ("body", "first_name")),
    ({"language": "fr"}, ("body", "language")),
    ({"session_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a99"}, ("body", "session_id")),
    ({"event_id": "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c99"}, ("body", "event_id")),
])
async def test_invalid_data_is_refused_naming_the_field(saga, change, field):
    event = await saga.create_event([(5, 0)])
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]} | saga.person() | change
    body = {k: v for k, v in body.items() if v is not None}

    response = await saga.registration.client.post("/api/registrations", json=body)

    assert response.status_code == 422, response.text
    assert field in fields(response)
    assert await stored(saga) == 0


async def test_a_session_of_another_event_is_refused(saga):
    event = await saga.create_event([(5, 0)])
    other = await saga.create_event([(5, 0)], title="Partnerschaftstreffen Masterplan Industrie")

    response = await saga.register(event, other["sessions"][0])

    assert response.status_code == 422
    assert ("body", "session_id") in fields(response)
    assert TEXTS["de"]["refused.other_session"] in response.text
    assert await stored(saga) == 0


async def test_the_same_email_twice_for_one_event_is_a_conflict_that_reveals_nothing(saga):
    event = await saga.create_event([(5, 0), (5, 0)])
    first = await saga.register(event, event["sessions"][0], wait=5, email="jana.muster@example.org")

    again = await saga.register(event, event["sessions"][1], email="Jana.Muster@Example.org", first_name="Eve")

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["detail"] == TEXTS["de"]["refused.already_registered"]
    assert "Jana" not in again.text and first.json()["id"] not in again.text
    assert await stored(saga) == 1


async def test_after_cancelling_one_may_register_again(saga):
    event = await saga.create_event([(5, 0)])
    first = (await saga.register(event, event["sessions"][0], wait=5, email="jana.muster@example.org")).json()
    await saga.registration.client.post(first["links"]["cancel"])

    again = await saga.register(event, event["sessions"][0], wait=5, email="jana.muster@example.org")

    assert again.status_code == 201
    assert again.json()["status"] == "confirmed"


async def test_after_the_deadline_registration_is_gone(saga):
    now = datetime.now(UTC)
    event = await saga.create_event([(5, 0)], registration_deadline=(now - timedelta(minutes=1)).isoformat())

    response = await saga.register(event, event["sessions"][0])

    assert response.status_code == 410
    assert response.json()["detail"] == TEXTS["de"]["refused.deadline_passed"]
    assert await stored(saga) == 0


async def test_a_closed_or_cancelled_event_takes_no_registrations(saga):
    event = await saga.create_event([(5, 0)])
    session = event["sessions"][0]
    await saga.catalog.client.post(f"/api/staff/events/{event['id']}/close", headers=saga.staff)
    await saga.wait_for_copy(event["id"], status="closed")

    closed = await saga.register(event, session)

    await saga.catalog.client.post(f"/api/staff/events/{event['id']}/cancel", headers=saga.staff)
    await saga.wait_for_copy(event["id"], status="cancelled")
    cancelled = await saga.register(event, session)

    assert closed.status_code == 409 and closed.json()["detail"] == TEXTS["de"]["refused.closed"]
    assert cancelled.status_code == 410 and cancelled.json()["detail"] == TEXTS["de"]["refused.event_cancelled"]
    assert await stored(saga) == 0


async def test_a_draft_event_is_unknown(saga):
    event = await saga.create_event([(5, 0)], publish=False)

    response = await saga.register(event, event["sessions"][0])

    assert response.status_code == 422
    assert ("body", "event_id") in fields(response)


async def test_an_idempotency_key_returns_the_first_answer(saga):
    event = await saga.create_event([(5, 0)])
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]} | saga.person()
    headers = {"Idempotency-Key": "form-submit-7f3a"}

    first = await saga.registration.client.post("/api/registrations?wait=5", json=body, headers=headers)
    repeated = await saga.registration.client.post("/api/registrations", json=body, headers=headers)
    different = await saga.registration.client.post("/api/registrations", json=body | {"last_name": "Anders"},
                                                    headers=headers)

    assert first.status_code == 201
    assert repeated.status_code == 201 and repeated.json()["id"] == first.json()["id"]
    assert different.status_code == 422 and ("header", "Idempotency-Key") in fields(different)
    assert await stored(saga) == 1


async def test_a_forged_link_is_refused(saga):
    event = await saga.create_event([(5, 0)])
    registration = (await saga.register(event, event["sessions"][0], wait=5)).json()
    forged = registration["links"]["cancel"].split("?token=")[0] + "?token=forged"

    response = await saga.registration.client.post(forged)

    assert response.status_code == 403
    assert (await saga.status(registration))["status"] == "confirmed"
