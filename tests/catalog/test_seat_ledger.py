"""The seat ledger decides a batch of registration messages in their order, in one transaction:
seats, then waiting-list places, then refusals, a cancellation in the middle of the batch freeing
its seat for the head of the waiting list; a redelivered batch changes nothing. Driven through the
catalog's own consumer with records as Kafka hands them over."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from aiokafka import ConsumerRecord

from treffpunkt_shared.contracts.envelope import Envelope, EventPayload
from treffpunkt_shared.contracts.registration import (
    REGISTRATION_TOPIC,
    CancelledBy,
    Participant,
    Registration,
    RegistrationCancelled,
    RegistrationRequested,
)
from treffpunkt_shared.contracts.seats import SEAT_TOPIC

from ..consumed import consumed
from .test_api import created, event_body


async def published_event(catalog, staff, sessions: list[tuple[int, int]], *, close: bool = False,
                          **overrides) -> tuple[UUID, list[UUID]]:
    """An event with sessions of (capacity, waiting-list size), published (and closed, if asked)."""
    event = await created(catalog.client, staff, "events", event_body(**overrides))
    session_ids = []
    for number, (capacity, waitlist_size) in enumerate(sessions, 1):
        session = await created(catalog.client, staff, f"events/{event['id']}/sessions", {
            "title": f"Forum {number}", "capacity": capacity, "waitlist_size": waitlist_size})
        session_ids.append(UUID(session["id"]))
    for step in ("publish", "close") if close else ("publish",):
        response = await catalog.client.post(f"/api/staff/events/{event['id']}/{step}", headers=staff)
        assert response.status_code == 200, response.text
    return UUID(event["id"]), session_ids


def request(registration_id: UUID, event_id: UUID, session_id: UUID) -> RegistrationRequested:
    return RegistrationRequested(registration_id=registration_id, event_id=event_id, session_id=session_id)


def cancellation(registration_id: UUID, event_id: UUID, session_id: UUID) -> RegistrationCancelled:
    registration = Registration(
        registration_id=registration_id, event_id=event_id, session_id=session_id,
        participant=Participant(first_name="Jana", last_name="Muster", email="jana.muster@example.org",
                                organisation="Muster Logistik GmbH"),
        registered_at=datetime.now(UTC), status_url="http://localhost/r", cancel_url="http://localhost/r/cancel")
    return RegistrationCancelled(registration=registration, cancelled_by=CancelledBy.registrant,
                                 previous_status="confirmed")


def records(payloads: list[EventPayload], *, occurred_at: datetime | None = None) -> list[ConsumerRecord]:
    """The payloads as one partition's records, each a new message (its own event id)."""
    batch = []
    for offset, payload in enumerate(payloads):
        envelope = Envelope.wrap(payload, producer="registration", correlation_id=payload.message_key())
        if occurred_at is not None:
            envelope = envelope.model_copy(update={"occurred_at": occurred_at})
        batch.append(ConsumerRecord(
            topic=REGISTRATION_TOPIC, partition=0, offset=offset, timestamp=0, timestamp_type=0,
            key=payload.message_key().encode(), value=envelope.model_dump_json().encode(), checksum=None,
            serialized_key_size=0, serialized_value_size=0, headers=[]))
    return batch


DETAIL = {"SeatAllocated": "from_waitlist", "SeatWaitlisted": "waitlist_sequence", "SeatRejected": "reason",
          "SeatReleased": "released"}


async def seat_decisions(catalog) -> list[tuple]:
    """The seat ledger's messages in the outbox, in order: (type, registration, what was decided)."""
    rows = await catalog.fetch(
        "SELECT event_type, body -> 'payload' AS payload FROM outbox_message WHERE topic = $1 ORDER BY id", SEAT_TOPIC)
    return [(row["event_type"], UUID(row["payload"]["registration_id"]), row["payload"][DETAIL[row["event_type"]]])
            for row in rows]


async def counters(catalog, session_id: UUID) -> tuple[int, int, int]:
    [row] = await catalog.fetch(
        "SELECT seats_allocated, waitlist_count, waitlist_last_sequence FROM session WHERE id = $1", session_id)
    return tuple(row)


async def test_a_batch_is_decided_in_order_and_its_redelivery_changes_nothing(catalog, staff):
    event, (forum, workshop) = await published_event(catalog, staff, [(2, 1), (1, 0)])
    r1, r2, r3, r4, r5, r6, r7, r8 = (uuid4() for _ in range(8))
    batch = records([
        request(r1, event, forum),
        request(r2, event, forum),
        request(r3, event, workshop),
        request(r4, event, forum),
        request(r5, event, forum),
        request(r6, event, workshop),
        request(r1, event, forum),  # the same registration's request again, as another message
        request(r7, event, uuid4()),
        cancellation(r2, event, forum),
        request(r8, event, forum),
        request(r5, event, forum),  # refused before, so decided again: still full
    ])
    consumer = catalog.app.state.runtime.consumer
    dead_before = consumed([REGISTRATION_TOPIC], ["dead_lettered"])

    await consumer.consume(batch)

    assert await seat_decisions(catalog) == [
        ("SeatAllocated", r1, False),
        ("SeatAllocated", r2, False),
        ("SeatAllocated", r3, False),
        ("SeatWaitlisted", r4, 1),
        ("SeatRejected", r5, "full"),
        ("SeatRejected", r6, "full"),
        ("SeatRejected", r7, "unknown_session"),
        ("SeatReleased", r2, "seat"),
        ("SeatAllocated", r4, True),
        ("SeatWaitlisted", r8, 2),
        ("SeatRejected", r5, "full"),
    ]
    assert await counters(catalog, forum) == (2, 1, 2)
    assert await counters(catalog, workshop) == (1, 0, 0)
    allocations = await catalog.fetch("SELECT registration_id, state, waitlist_sequence FROM seat_allocation")
    assert {tuple(row) for row in allocations} == {
        (r1, "allocated", None), (r2, "released", None), (r3, "allocated", None), (r4, "allocated", 1),
        (r8, "waitlisted", 2)}
    assert consumed([REGISTRATION_TOPIC], ["dead_lettered"]) == dead_before

    decided = await seat_decisions(catalog)
    duplicates_before = consumed([REGISTRATION_TOPIC], ["duplicate"])
    await consumer.consume(batch)
    assert await seat_decisions(catalog) == decided
    assert await counters(catalog, forum) == (2, 1, 2)
    assert consumed([REGISTRATION_TOPIC], ["duplicate"]) - duplicates_before == len(batch)


async def test_a_repeated_request_gets_what_its_registration_holds_announced_again_and_takes_nothing(catalog, staff):
    """The registration service repeats the request of a registration still pending after a while (its
    decision may have been lost): under a new message id, so past the inbox, to the seat ledger's record."""
    event, [forum] = await published_event(catalog, staff, [(1, 1)])
    seated, waiting, refused, released = (uuid4() for _ in range(4))
    consumer = catalog.app.state.runtime.consumer
    await consumer.consume(records([request(seated, event, forum), request(waiting, event, forum),
                                    request(refused, event, forum)]))
    await consumer.consume(records([cancellation(seated, event, forum)]))  # the waiting one moves up
    await consumer.consume(records([request(released, event, forum), cancellation(released, event, forum)]))
    before = await seat_decisions(catalog)

    await consumer.consume(records([request(waiting, event, forum), request(seated, event, forum),
                                    request(released, event, forum)]))

    assert (await seat_decisions(catalog))[len(before):] == [("SeatAllocated", waiting, False)]
    assert await counters(catalog, forum) == (1, 0, 2)


async def test_closed_events_and_late_requests_are_refused_and_take_nothing(catalog, staff):
    deadline = datetime.now(UTC) + timedelta(days=30)
    open_event, [open_session] = await published_event(catalog, staff, [(5, 5)],
                                                       registration_deadline=deadline.isoformat())
    closed_event, [closed_session] = await published_event(catalog, staff, [(5, 5)], close=True)
    early, late, closed = uuid4(), uuid4(), uuid4()
    consumer = catalog.app.state.runtime.consumer

    await consumer.consume(records([request(early, open_event, open_session),
                                    request(closed, closed_event, closed_session)]))
    await consumer.consume(records([request(late, open_event, open_session)],
                                   occurred_at=deadline + timedelta(seconds=1)))

    assert await seat_decisions(catalog) == [
        ("SeatAllocated", early, False), ("SeatRejected", closed, "closed"), ("SeatRejected", late, "deadline_passed")]
    assert await counters(catalog, open_session) == (1, 0, 0)
    assert await counters(catalog, closed_session) == (0, 0, 0)
