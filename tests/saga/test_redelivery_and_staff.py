"""Replaying every message changes nothing; staff see, export and cancel registrations; the hosted form."""


from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from treffpunkt_shared.topics import TOPICS

from ..waiting import wait_until


async def redeliver_everything(bootstrap: list[str]) -> int:
    """Publish every message on the services' topics once more, as a redelivery after a crash or a
    rewound consumer group would bring them; the number of messages."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await reader.start()
    await producer.start()
    try:
        partitions = [TopicPartition(t.name, p) for t in TOPICS for p in range(t.partitions)]
        reader.assign(partitions)
        ends = await reader.end_offsets(partitions)
        starts = await reader.beginning_offsets(partitions)
        await reader.seek_to_beginning(*partitions)
        total, count = sum(ends[tp] - starts[tp] for tp in partitions), 0
        while count < total:
            for tp, records in (await reader.getmany(timeout_ms=200)).items():
                for record in records:
                    if record.offset < ends[tp]:
                        await producer.send_and_wait(tp.topic, record.value, key=record.key, partition=tp.partition)
                        count += 1
        return count
    finally:
        await reader.stop()
        await producer.stop()


async def test_redelivering_every_message_changes_nothing(saga, kafka_bootstrap):
    event = await saga.create_event([(3, 2)])
    session = event["sessions"][0]
    registrations = [(await saga.register(event, session, wait=5)).json() for _ in range(6)]
    await saga.registration.client.post(registrations[0]["links"]["cancel"])
    await wait_until(lambda: _status_is(saga, registrations[3], "confirmed"), what="promotion after the cancel")
    before = [await saga.status(r) for r in registrations]
    ledger_before = await saga.session(session["id"])

    services = (saga.catalog, saga.registration)
    stats = [s.app.state.runtime.consumer.stats for s in services]
    handled_before = [s.handled for s in stats]
    duplicates_before = sum(s.duplicates for s in stats)
    outboxes_before = [await _outbox_size(s) for s in services]

    # Each of the three topics has exactly one of these two services among its consumers.
    replayed = await redeliver_everything(kafka_bootstrap)

    async def all_seen_again() -> bool:
        return sum(s.duplicates for s in stats) - duplicates_before >= replayed

    await wait_until(all_seen_again, what="every redelivered message dropped by the inboxes")
    assert replayed > 0
    assert [s.app.state.runtime.consumer.stats.handled for s in services] == handled_before
    assert [await _outbox_size(s) for s in services] == outboxes_before
    assert [await saga.status(r) for r in registrations] == before
    assert await saga.session(session["id"]) == ledger_before


async def _status_is(saga, registration, status) -> bool:
    return (await saga.status(registration))["status"] == status


async def _outbox_size(service) -> int:
    rows = await service.fetch("SELECT count(*) AS n FROM outbox_message")
    return rows[0]["n"]
