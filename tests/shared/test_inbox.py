"""The inbox makes redelivery change nothing; a message that cannot be handled goes to the dead-letter topic."""

import json
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC, Organisation, OrganisationSaved
from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.messaging.consumer import (
    InboxConsumer,
    dead_letter_publisher,
    dead_letter_topic,
    subscribe,
)

from ..consumed import consumed
from ..waiting import wait_until


def envelope(name: str) -> Envelope:
    payload = OrganisationSaved(organisation=Organisation(id=uuid4(), name=name, kind="company"))
    return Envelope.wrap(payload, producer="test")


async def record_effect(conn, messages, _) -> None:
    for message in messages:
        if message.payload.organisation.name == "Kaputt GmbH":
            raise ValueError("this organisation cannot be handled")
        await conn.execute("INSERT INTO effect (event_id, note) VALUES ($1, $2)", message.envelope.event_id,
                           message.payload.organisation.name)


async def effects(pool) -> list[str]:
    return [r["note"] for r in await pool.fetch("SELECT note FROM effect ORDER BY note")]


async def test_a_redelivered_message_changes_nothing(database, kafka):
    _, pool = database
    broker = KafkaBroker(kafka.bootstrap_servers)
    consumer = InboxConsumer("plumbing", lambda: pool, {OrganisationSaved: record_effect}, dead_letter_publisher(broker, "plumbing"))
    subscribe(broker, consumer, fetch_max_wait_ms=kafka.fetch_max_wait_ms)
    first, second = envelope("Einmal GmbH"), envelope("Zweimal AG")
    seen_before, duplicates_before = consumed([CATALOG_TOPIC]), consumed([CATALOG_TOPIC], ["duplicate"])

    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers)
    await producer.start()
    await broker.start()
    try:
        for message in (first, second, first, second, first):  # redelivered, as after a crash
            await producer.send_and_wait(CATALOG_TOPIC, message.model_dump_json().encode(), key=b"k")
        await wait_until(lambda: _seen(seen_before + 5))
    finally:
        await broker.stop()
        await producer.stop()

    assert await effects(pool) == ["Einmal GmbH", "Zweimal AG"]
    assert consumed([CATALOG_TOPIC], ["duplicate"]) - duplicates_before == 3
    assert await pool.fetchval("SELECT count(*) FROM inbox_message") == 2


async def _seen(count: int) -> bool:
    return consumed([CATALOG_TOPIC]) >= count


async def test_bad_messages_go_to_the_dead_letter_topic_and_the_rest_is_handled(database, kafka, read_topic):
    _, pool = database
    broker = KafkaBroker(kafka.bootstrap_servers)
    consumer = InboxConsumer("plumbing", lambda: pool, {OrganisationSaved: record_effect}, dead_letter_publisher(broker, "plumbing"))
    subscribe(broker, consumer, fetch_max_wait_ms=kafka.fetch_max_wait_ms)
    seen_before, dead_before = consumed([CATALOG_TOPIC]), consumed([CATALOG_TOPIC], ["dead_lettered"])

    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers)
    await producer.start()
    await broker.start()
    try:
        for value in (envelope("Vorher GmbH").model_dump_json().encode(), b"{not json",
                      json.dumps({"event_type": "OrganisationSaved"}).encode(),
                      envelope("Kaputt GmbH").model_dump_json().encode(),
                      envelope("Nachher GmbH").model_dump_json().encode()):
            await producer.send_and_wait(CATALOG_TOPIC, value, key=b"same-partition")
        await wait_until(lambda: _seen(seen_before + 5))
        dead = await read_topic(dead_letter_topic(CATALOG_TOPIC), count=3, raw=True)
    finally:
        await broker.stop()
        await producer.stop()

    assert await effects(pool) == ["Nachher GmbH", "Vorher GmbH"]
    assert [r.value for r in dead][:2] == [b"{not json", json.dumps({"event_type": "OrganisationSaved"}).encode()]
    errors = [dict(r.headers)["dlq-error"].decode() for r in dead]
    assert "not a valid envelope" in errors[0]
    assert "ValueError: this organisation cannot be handled" in errors[2]
    assert consumed([CATALOG_TOPIC], ["dead_lettered"]) - dead_before == 3
