"""Registration and notification keep a local copy of the catalog's events from Kafka."""

from datetime import timedelta

from aiokafka import AIOKafkaProducer

from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC, Event, EventSaved
from treffpunkt_shared.contracts.envelope import Envelope

from ..waiting import wait_until

EXAMPLE = Event.model_validate(Event.model_json_schema()["examples"][0])


async def publish(kafka_bootstrap: list[str], *events: Envelope) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for envelope in events:
            await producer.send_and_wait(CATALOG_TOPIC, envelope.model_dump_json().encode(), key=b"event")
    finally:
        await producer.stop()


def saved(event: Event, minutes: int = 0) -> Envelope:
    envelope = Envelope.wrap(EventSaved(event=event), producer="catalog")
    return envelope.model_copy(update={"occurred_at": envelope.occurred_at + timedelta(minutes=minutes)})


async def test_the_public_page_lists_events_published_by_the_catalog(start_service, kafka_bootstrap):
    registration = await start_service("registration")
    await publish(kafka_bootstrap, saved(EXAMPLE))

    async def listed() -> bool:
        page = await registration.client.get("/")
        return EXAMPLE.title in page.text

    await wait_until(listed, what="the event on the registration page")
    page = (await registration.client.get("/")).text
    assert "10.03.2027, 14:00" in page  # Europe/Berlin
    assert EXAMPLE.sessions[0].title in page


async def test_an_older_snapshot_never_overwrites_a_newer_one(start_service, kafka_bootstrap):
    notification = await start_service("notification")
    renamed = EXAMPLE.model_copy(update={"title": "Wirtschaft trifft Verwaltung 2027"})
    # The newer state arrives first, the older one after it (as after a redelivery).
    await publish(kafka_bootstrap, saved(renamed, minutes=5), saved(EXAMPLE, minutes=0))

    async def both_handled() -> bool:
        rows = await notification.fetch("SELECT count(*) AS n FROM inbox_message")
        return rows[0]["n"] == 2

    await wait_until(both_handled, what="both snapshots handled")
    rows = await notification.fetch("SELECT snapshot->>'title' AS title FROM catalog_event")
    assert [r["title"] for r in rows] == ["Wirtschaft trifft Verwaltung 2027"]
    sessions = await notification.fetch("SELECT snapshot->'contact_persons'->0->>'email' AS email FROM catalog_session")
    assert [s["email"] for s in sessions] == [EXAMPLE.sessions[0].contact_persons[0].email]
