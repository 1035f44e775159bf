"""Replaying every message changes nothing; staff see, export and cancel registrations; the hosted form."""

import csv
import io
import re
from collections import Counter

from aiokafka import AIOKafkaConsumer, TopicPartition
from openpyxl import load_workbook

from treffpunkt_shared.topics import TOPICS

from ..waiting import wait_until


async def rewind_group(bootstrap: list[str], group: str) -> None:
    """Commit offset 0 on every partition for the group, so its next member re-reads everything."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(t.name, p) for t in TOPICS for p in range(t.partitions)]
        await consumer.commit({tp: 0 for tp in partitions})
    finally:
        await consumer.stop()


async def test_redelivering_every_message_changes_nothing(saga, start_service, kafka_bootstrap):
    event = await saga.create_event([(3, 2)])
    session = event["sessions"][0]
    registrations = [(await saga.register(event, session, wait=5)).json() for _ in range(6)]
    await saga.registration.client.post(registrations[0]["links"]["cancel"])
    await wait_until(lambda: _status_is(saga, registrations[3], "confirmed"), what="promotion after the cancel")
    before = [await saga.status(r) for r in registrations]
    ledger_before = await saga.session(session["id"])

    for service in (saga.catalog, saga.registration):
        await service.stop()
    for group in ("catalog", "registration"):
        await rewind_group(kafka_bootstrap, group)
    catalog = await start_service("catalog", database_name=saga.catalog.settings.database)
    registration = await start_service("registration", database_name=saga.registration.settings.database)
    saga.catalog, saga.registration = catalog, registration

    async def replayed() -> bool:
        stats = [s.app.state.runtime.consumer.stats for s in (catalog, registration)]
        return all(s.duplicates > 0 for s in stats)

    await wait_until(replayed, what="both services re-read their topics")
    await wait_until(lambda: _outbox_drained(catalog), what="catalog outbox drained")
    assert [await saga.status(r) for r in registrations] == before
    assert await saga.session(session["id"]) == ledger_before
    assert catalog.app.state.runtime.consumer.stats.handled == 0
    assert registration.app.state.runtime.consumer.stats.handled == 0


async def _status_is(saga, registration, status) -> bool:
    return (await saga.status(registration))["status"] == status


async def _outbox_drained(service) -> bool:
    rows = await service.fetch("SELECT count(*) AS n FROM outbox_message WHERE published_at IS NULL")
    return rows[0]["n"] == 0


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

    assert form.status_code == 200 and "Themenforum 1" in form.text and "1 Plätze frei" in form.text
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
