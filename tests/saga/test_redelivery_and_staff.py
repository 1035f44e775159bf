"""Replaying every message changes nothing; staff see, export and cancel registrations; the hosted form."""

import csv
import io
import re
from collections import Counter

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from openpyxl import load_workbook

from treffpunkt_shared.topics import TOPICS

from ..consumed import consumed
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
    services = (saga.catalog, saga.registration)
    # Each of these topics has exactly one of these two services among its consumers.
    topics = sorted({topic for s in services for topic in s.app.state.runtime.consumer.topics})
    seen_at_start = {topic: consumed([topic]) for topic in topics}
    event = await saga.create_event([(3, 2)])
    session = event["sessions"][0]
    registrations = [(await saga.register(event, session, wait=5)).json() for _ in range(6)]
    await saga.registration.client.post(registrations[0]["links"]["cancel"])
    await wait_until(lambda: _status_is(saga, registrations[3], "confirmed"), what="promotion after the cancel")
    # The promotion's own messages (RegistrationPromoted to the catalog) may still be on their way.
    await wait_until(lambda: _all_consumed(services, seen_at_start, kafka_bootstrap), what="every message consumed")
    before = [await saga.status(r) for r in registrations]
    ledger_before = await saga.session(session["id"])

    handled_before = consumed(topics, ["handled"])
    duplicates_before = consumed(topics, ["duplicate"])
    outboxes_before = [await _outbox_size(s) for s in services]

    replayed = await redeliver_everything(kafka_bootstrap)

    async def all_seen_again() -> bool:
        return consumed(topics, ["duplicate"]) - duplicates_before >= replayed

    await wait_until(all_seen_again, what="every redelivered message dropped by the inboxes")
    assert replayed > 0
    assert consumed(topics, ["handled"]) == handled_before
    assert [await _outbox_size(s) for s in services] == outboxes_before
    assert [await saga.status(r) for r in registrations] == before
    assert await saga.session(session["id"]) == ledger_before


async def _status_is(saga, registration, status) -> bool:
    return (await saga.status(registration))["status"] == status


async def _all_consumed(services, seen_at_start: dict[str, int], bootstrap: list[str]) -> bool:
    """Every outbox published, and each consumer has seen every message on its topics since the start."""
    for service in services:
        rows = await service.fetch("SELECT count(*) AS n FROM outbox_message WHERE published_at IS NULL")
        if rows[0]["n"]:
            return False
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        for service in services:
            consumer = service.app.state.runtime.consumer
            partitions = [TopicPartition(t.name, p) for t in TOPICS if t.name in consumer.topics
                          for p in range(t.partitions)]
            on_topics = sum((await reader.end_offsets(partitions)).values())
            seen = sum(consumed([topic]) - seen_at_start[topic] for topic in consumer.topics)
            if seen < on_topics:
                return False
        return True
    finally:
        await reader.stop()


async def _outbox_size(service) -> int:
    rows = await service.fetch("SELECT count(*) AS n FROM outbox_message")
    return rows[0]["n"]


async def test_staff_list_filter_export_and_cancel(saga):
    event = await saga.create_event([(1, 1), (5, 0)])
    first, second = event["sessions"]
    anna = (await saga.register(event, first, wait=5, first_name="Änne", last_name="Müller-Lüdenscheidt")).json()
    ben = (await saga.register(event, first, wait=5)).json()
    carla = (await saga.register(event, second, wait=5)).json()
    client, headers = saga.registration.client, saga.registration_staff
    url = f"/api/staff/events/{event['id']}/registrations"

    everyone = (await client.get(url, headers=headers)).json()
    waiting = (await client.get(url, params={"status": "waitlisted"}, headers=headers)).json()
    in_second = (await client.get(url, params={"session_id": second["id"]}, headers=headers)).json()
    csv_file = await client.get(f"{url}.csv", headers=headers)
    xlsx_file = await client.get(f"{url}.xlsx", headers=headers)
    cancelled = await client.post(f"/api/staff/registrations/{carla['id']}/cancel", headers=headers)
    anonymous = await client.get(url)

    assert {r["id"] for r in everyone} == {anna["id"], ben["id"], carla["id"]}
    assert [(r["id"], r["waitlist_position"]) for r in waiting] == [(ben["id"], 1)]
    assert [r["id"] for r in in_second] == [carla["id"]]
    assert csv_file.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nachname", "Vorname", "Organisation"]
    assert ["Müller-Lüdenscheidt", "Änne"] in [row[:2] for row in rows]
    sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
    assert "Müller-Lüdenscheidt" in [cell.value for cell in sheet["A"]]
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_by"] == "staff"
    assert anonymous.status_code == 401


async def test_the_hosted_form_registers_like_a_browser_would(saga):
    event = await saga.create_event([(1, 1)])
    session = event["sessions"][0]
    client = saga.registration.client

    form = await client.get(f"/events/{event['id']}/register")
    english = await client.get(f"/events/{event['id']}/register?lang=en")
    fields = {"session_id": session["id"], "first_name": "Jana", "last_name": "Muster",
              "email": "jana.muster@example.org", "organisation": "Muster Logistik GmbH", "consent": "yes"}
    answer = await client.post(f"/events/{event['id']}/register", data=fields)
    form_after = await client.get(f"/events/{event['id']}/register")
    waitlisted = await client.post(f"/events/{event['id']}/register",
                                   data=fields | {"email": "ole.beispiel@example.org", "lang": "en"})
    missing_consent = await client.post(f"/events/{event['id']}/register",
                                        data={k: v for k, v in fields.items() if k != "consent"} | {"email": "x@example.org"})

    assert form.status_code == 200 and "Themenforum 1" in form.text and "1 Platz frei" in form.text
    assert 'type="radio"' in form.text and 'name="consent"' in form.text
    assert "Register" in english.text and 'lang="en"' in english.text
    assert answer.status_code == 201
    assert "Ihre Anmeldung ist bestätigt." in answer.text
    assert "Warteliste" in form_after.text
    assert "number 1 on the waiting list" in waitlisted.text
    assert missing_consent.status_code == 422 and 'aria-invalid="true"' in missing_consent.text
    assert 'value="Jana"' in missing_consent.text  # what was typed stays
    status_link = re.search(r'href="(http://[^"]+/r/[^"]+)"', answer.text).group(1).replace("&amp;", "&")
    status_page = await client.get(status_link)
    assert "bestätigt" in status_page.text
    statuses = Counter(r["status"] for r in (await client.get(
        f"/api/staff/events/{event['id']}/registrations", headers=saga.registration_staff)).json())
    assert statuses == {"confirmed": 1, "waitlisted": 1}
