"""The seat saga end to end: registration → Kafka → the catalog's seat ledger → Kafka → registration.
Real HTTP, the Kafka protocol and PostgreSQL; no fakes."""

import asyncio
import time
from collections import Counter

from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC

from ..consumed import consumed
from ..waiting import wait_until


async def test_one_registration_is_confirmed_and_the_seat_counted(saga):
    event = await saga.create_event([(5, 2)])
    session = event["sessions"][0]

    response = await saga.register(event, session, wait=5)

    assert response.status_code == 201, response.text
    registration = response.json()
    assert registration["status"] == "confirmed"
    assert (await saga.status(registration))["status"] == "confirmed"
    public = (await saga.catalog.client.get(f"/api/events/{event['id']}")).json()
    assert public["sessions"][0]["seats_free"] == 4


async def test_without_waiting_the_answer_is_pending_and_becomes_final(saga):
    event = await saga.create_event([(5, 2)])

    response = await saga.register(event, event["sessions"][0])

    assert response.status_code in (201, 202)
    if response.status_code == 202:
        assert response.json()["status"] == "pending"
    [final] = await saga.wait_final([response.json()])
    assert final["status"] == "confirmed"


async def rush(saga, event, session, count: int) -> tuple[list[dict], float]:
    started = time.perf_counter()
    responses = await asyncio.gather(*(saga.register(event, session) for _ in range(count)))
    print(f"\n{count} POSTs answered in {time.perf_counter() - started:.2f}s")
    assert {r.status_code for r in responses} <= {201, 202}, [r.text for r in responses if r.status_code >= 300][:3]
    final = await saga.wait_final([r.json() for r in responses], timeout=120)
    return final, time.perf_counter() - started


def assert_rush_outcome(final: list[dict], *, seats: int, waitlist: int) -> None:
    statuses = Counter(r["status"] for r in final)
    assert statuses == {"confirmed": seats, "waitlisted": waitlist, "rejected": len(final) - seats - waitlist}
    positions = sorted(r["waitlist_position"] for r in final if r["status"] == "waitlisted")
    assert positions == list(range(1, waitlist + 1))


async def test_a_rush_of_200_fills_20_seats_and_10_waitlist_places(saga):
    event = await saga.create_event([(20, 10)])
    session = event["sessions"][0]

    final, seconds = await rush(saga, event, session, 200)

    assert_rush_outcome(final, seats=20, waitlist=10)
    ledger = await saga.session(session["id"])
    assert (ledger["seats_allocated"], ledger["waitlist_count"]) == (20, 10)
    print(f"\nrush: 200 registrations, first POST to last final status in {seconds:.2f}s")


async def test_a_rush_with_two_catalog_replicas_in_one_group(saga, start_service):
    await start_service("catalog", database_name=saga.catalog.settings.database)  # a second replica
    event = await saga.create_event([(20, 10)])
    handled_before = consumed([REGISTRATION_TOPIC], ["handled"])

    final, seconds = await rush(saga, event, event["sessions"][0], 200)

    assert_rush_outcome(final, seats=20, waitlist=10)
    assert consumed([REGISTRATION_TOPIC], ["handled"]) > handled_before  # by the group of the two
    print(f"\nrush with two catalog replicas: {seconds:.2f}s")


async def test_cancelling_a_confirmed_seat_promotes_the_head_of_the_waiting_list(saga):
    event = await saga.create_event([(2, 3)])
    session = event["sessions"][0]
    registrations = [(await saga.register(event, session, wait=5)).json() for _ in range(5)]
    assert [r["status"] for r in registrations] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]

    cancelled = await saga.registration.client.post(registrations[0]["links"]["cancel"])
    again = await saga.registration.client.post(registrations[0]["links"]["cancel"])

    assert cancelled.json()["status"] == "cancelled" and again.json()["status"] == "cancelled"

    async def promoted() -> bool:
        return (await saga.status(registrations[2]))["status"] == "confirmed"

    await wait_until(promoted, what="the head of the waiting list promoted")
    rest = [await saga.status(r) for r in registrations[3:]]
    assert [(r["status"], r["waitlist_position"]) for r in rest] == [("waitlisted", 1), ("waitlisted", 2)]
    ledger = await saga.session(session["id"])
    assert (ledger["seats_allocated"], ledger["waitlist_count"]) == (2, 2)


async def test_raising_the_capacity_promotes_as_many_as_the_new_seats_allow(saga):
    event = await saga.create_event([(1, 5)])
    session = event["sessions"][0]
    registrations = [(await saga.register(event, session, wait=5)).json() for _ in range(5)]
    assert [r["status"] for r in registrations].count("waitlisted") == 4

    response = await saga.catalog.client.patch(f"/api/staff/sessions/{session['id']}", headers=saga.staff,
                                               json={"capacity": 4})
    assert response.status_code == 200, response.text

    async def three_promoted() -> bool:
        statuses = [(await saga.status(r))["status"] for r in registrations]
        return statuses == ["confirmed"] * 4 + ["waitlisted"]

    await wait_until(three_promoted, what="three promoted")
    assert (await saga.status(registrations[4]))["waitlist_position"] == 1


async def test_lowering_the_capacity_below_the_allocated_seats_is_refused(saga):
    event = await saga.create_event([(3, 0)])
    session = event["sessions"][0]
    for _ in range(2):
        assert (await saga.register(event, session, wait=5)).json()["status"] == "confirmed"

    response = await saga.catalog.client.patch(f"/api/staff/sessions/{session['id']}", headers=saga.staff,
                                               json={"capacity": 1})

    assert response.status_code in (409, 422)
    assert "2" in response.text and "capacity" in response.text
    assert (await saga.session(session["id"]))["capacity"] == 3
