"""No registration stays pending forever: a seat request the catalog never got (here: its consumer group
moved past it, as a broker that lost it or a request dead-lettered would leave it) is published again
after `pending_repeat_seconds`, and the registration is decided once, with one seat."""

from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY

from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC

from ..waiting import wait_until
from .scenario import Saga


async def skip_to_the_end(bootstrap: list[str], group: str, topic: str) -> None:
    """Commit the end of every partition of `topic` for `group`, as a member of it: its next member
    reads nothing older."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=100)
        partitions = list(consumer.assignment())
        await consumer.commit(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


def repeated() -> float:
    return REGISTRY.get_sample_value("registration_seat_requests_repeated_total") or 0.0


async def test_a_request_the_catalog_never_got_is_published_again_and_decided_once(start_service, kafka_bootstrap):
    catalog = await start_service("catalog")
    registration = await start_service("registration", pending_repeat_seconds=1)
    saga = Saga(catalog=catalog, registration=registration,
                staff={"Authorization": f"Bearer {await catalog.create_token()}"},
                registration_staff={"Authorization": f"Bearer {await registration.create_token()}"})
    event = await saga.create_event([(1, 0)])
    session = event["sessions"][0]
    await catalog.stop()
    repeats_before = repeated()

    accepted = (await saga.register(event, session)).json()
    assert accepted["status"] == "pending"

    async def published() -> bool:
        rows = await registration.fetch("SELECT count(*) AS n FROM outbox_message WHERE published_at IS NULL")
        return rows[0]["n"] == 0
    await wait_until(published, what="the seat request published")
    await skip_to_the_end(kafka_bootstrap, "catalog", REGISTRATION_TOPIC)
    saga.catalog = await start_service("catalog", database_name=catalog.settings.database_name)

    [decided] = await saga.wait_final([accepted], timeout=30)
    assert decided["status"] == "confirmed"
    assert repeated() > repeats_before
    assert (await saga.session(session["id"]))["seats_allocated"] == 1
