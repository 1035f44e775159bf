"""`/metrics` after registrations: HTTP requests by route and status, messages consumed and published
by topic and outcome, handler latency, inbox duplicates, the seat ledger's decisions and the outbox
backlog (rows waiting and the age of the oldest)."""

import asyncio

import asyncpg
from aiokafka import AIOKafkaProducer

from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC
from treffpunkt_shared.contracts.seats import SEAT_TOPIC
from treffpunkt_shared.messaging.outbox import RELAY_LOCK_KEY

from ..waiting import wait_until
from .scrape import Scrape, scrape

REQUESTS = {"method": "POST", "route": "/api/registrations"}


def grew(before: Scrape, after: Scrape, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


async def test_metrics_count_requests_messages_and_seat_decisions(saga, kafka_bootstrap):
    # Services in one process share one registry: the counts are read as differences.
    event = await saga.create_event([(1, 1)])
    before = await scrape(saga.catalog.client)

    statuses = [(await saga.register(event, event["sessions"][0], wait=5)).json()["status"] for _ in range(3)]
    assert statuses == ["confirmed", "waitlisted", "rejected"]

    async def all_published_and_consumed() -> bool:
        now = await scrape(saga.registration.client)
        # three requests and three outcomes; three decisions. The catalog reads the outcomes too (and has
        # nothing to do with them); at least, because on a broker that the session shares a consumer group
        # may also find what earlier tests left unread.
        return (grew(before, now, "messages_published_total", topic=REGISTRATION_TOPIC) == 6
                and grew(before, now, "messages_published_total", topic=SEAT_TOPIC) == 3
                and grew(before, now, "messages_consumed_total", topic=REGISTRATION_TOPIC, outcome="handled") >= 6
                and grew(before, now, "messages_consumed_total", topic=SEAT_TOPIC, outcome="handled") >= 3)

    await wait_until(all_published_and_consumed, what="the requests, decisions and outcomes published and consumed")
    after = await scrape(saga.catalog.client)
    assert grew(before, after, "http_requests_total", **REQUESTS, status="201") == 3
    assert grew(before, after, "http_request_duration_seconds_count", **REQUESTS) == 3
    assert grew(before, after, "message_handler_duration_seconds_count", topic=REGISTRATION_TOPIC) >= 1
    assert grew(before, after, "catalog_seats_allocated_total", via="request") == 1
    assert grew(before, after, "catalog_seats_waitlisted_total") == 1
    assert grew(before, after, "catalog_seat_requests_rejected_total", reason="full") == 1
    assert after.value("outbox_backlog_messages") == 0

    # The first request delivered again (as the relay sent it): the inbox drops it, counted as a duplicate.
    [first] = await saga.registration.fetch(
        "SELECT message_key, body::text AS body FROM outbox_message WHERE event_type = 'RegistrationRequested' "
        "ORDER BY id LIMIT 1")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(REGISTRATION_TOPIC, first["body"].encode(), key=first["message_key"].encode())
    finally:
        await producer.stop()

    async def duplicate_counted() -> bool:
        now = await scrape(saga.catalog.client)
        return grew(after, now, "messages_consumed_total", topic=REGISTRATION_TOPIC, outcome="duplicate") == 1

    await wait_until(duplicate_counted, what="the redelivered request counted as a duplicate")
    assert grew(after, await scrape(saga.catalog.client), "catalog_seats_allocated_total", via="request") == 0


async def test_the_outbox_backlog_shows_rows_waiting_and_the_age_of_the_oldest(saga):
    event = await saga.create_event([(5, 0)])
    # Holding the relay's lock keeps it from publishing, as a broker outage would.
    blocker = await asyncpg.connect(saga.registration.dsn)
    try:
        await blocker.execute("SELECT pg_advisory_lock($1)", RELAY_LOCK_KEY)
        for _ in range(2):
            assert (await saga.register(event, event["sessions"][0])).status_code == 202
        await asyncio.sleep(0.3)
        waiting = await scrape(saga.registration.client)
        assert waiting.value("outbox_backlog_messages") == 2
        assert waiting.value("outbox_oldest_unpublished_age_seconds") >= 0.3
    finally:
        await blocker.execute("SELECT pg_advisory_unlock($1)", RELAY_LOCK_KEY)
        await blocker.close()

    async def drained() -> bool:
        return (await scrape(saga.registration.client)).value("outbox_backlog_messages") == 0

    await wait_until(drained, what="the backlog published once the relay may go on")
    assert (await scrape(saga.registration.client)).value("outbox_oldest_unpublished_age_seconds") == 0
