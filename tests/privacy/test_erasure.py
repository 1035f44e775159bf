"""Proof of erasure (DSGVO Art. 17): a person registers with a unique string in every personal field, every
email goes out (theirs and the contact person's notice), the registration is erased (through the "my data"
link of their confirmation email, by the retention job at an injected time, by staff through the service
layer and through the staff API), and then no column of any table of any service's database, and no line of the run's log, holds any
of those strings; the anonymous record still counts the registration."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from registration.service_layer.erasure import erase, erase_address, erase_due
from treffpunkt_shared.contracts.registration import ErasedBecause
from treffpunkt_shared.db import connect

from ..staff_tokens import organiser
from ..waiting import wait_until
from .conftest import CONTACT, NOTICE_SHA256, ORGANISER, System, link_in, needles, unique_person


async def register_and_send_every_email(system: System, event: dict, person: dict, session: dict | None = None) -> dict:
    """Registered, the registrant's email and the contact person's notice sent, the delivery events kept."""
    response = await system.saga.register(event, session or event["sessions"][0], wait=5, **person)
    assert response.status_code == 201, response.text
    registered = response.json()
    await system.mailbox.wait_for(1, timeout=30, predicate=lambda m: person["email"] in m.rcpt_tos)
    await system.mailbox.wait_for(1, timeout=30, predicate=lambda m: CONTACT in m.rcpt_tos
                                  and person["last_name"] in m.text)

    async def all_sent_and_told() -> bool:
        [row] = await system.notification.fetch(
            """
            SELECT count(*) FILTER (WHERE e.status <> 'sent') AS unsent, count(*) AS emails,
                   (SELECT count(*) FROM contact_notice n JOIN email c ON c.id = n.email_id
                    WHERE n.registration_id = $1::uuid AND c.status = 'sent') AS notices
            FROM email e WHERE e.registration_id = $1::uuid
            """, registered["id"])
        kept = await system.saga.registration.fetch(
            "SELECT 1 FROM registration_email WHERE registration_id = $1::uuid AND status = 'sent'", registered["id"])
        return row["unsent"] == 0 and row["emails"] > 0 and row["notices"] > 0 and bool(kept)
    await wait_until(all_sent_and_told, timeout=30, what="every email about the registration sent and its delivery kept")
    return registered


async def anonymous_record(system: System, registration_id: str) -> dict:
    [row] = await system.saga.registration.fetch(
        """
        SELECT status, erased_because, first_name, last_name, email, email_normalised, organisation, phone, remarks,
               (SELECT array_agg(status ORDER BY id) FROM registration_status_change WHERE registration_id = r.id)
                   AS history
        FROM registration r WHERE id = $1::uuid
        """, registration_id)
    return dict(row)


PERSONAL = ("first_name", "last_name", "email", "email_normalised", "organisation", "phone", "remarks")


async def test_erased_through_my_data_the_person_is_in_no_database_and_no_log_and_the_waiting_list_moves_up(
        system: System):
    event, person, registered, waiting = await confirmed_with_someone_waiting(system)
    [confirmation] = [m for m in system.mailbox.messages if person["email"] in m.rcpt_tos]
    data_link = link_in(confirmation.text, "data")
    client = system.saga.registration.client

    page = await client.get(data_link)
    download = await client.get(data_link.replace("/data?", "/data.json?"))
    erase_page = await client.get(data_link.replace("/data?", "/erase?"))
    token = data_link.split("token=")[1]
    forged = await client.post(f"/r/{registered['id']}/erase", data={"token": "forged"})

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for shown in (person["first_name"], person["email"], person["remarks"], NOTICE_SHA256, ORGANISER["controller"],
                  ORGANISER["privacy_notice_version"], confirmation.subject):
        assert shown in page.text
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    data = download.json()
    assert {k: data["details"][k] for k in person} == person
    assert data["consent"] == {"privacy_notice_url": ORGANISER["privacy_notice_url"], "privacy_notice_version": "2026-01",
                               "privacy_notice_sha256": NOTICE_SHA256, "controller": ORGANISER["controller"],
                               "language": "de", "consented_at": data["consent"]["consented_at"]}
    assert [change["status"] for change in data["status_history"]] == ["pending", "confirmed"]
    assert [(email["kind"], email["subject"], email["status"]) for email in data["emails"]] == [
        ("confirmed", confirmation.subject, "sent")]
    assert erase_page.status_code == 200 and f'value="{token}"' in erase_page.text
    assert forged.status_code == 403
    assert (await anonymous_record(system, registered["id"]))["email"] == person["email"]  # a forged link erased nothing

    erased = await client.post(f"/r/{registered['id']}/erase", data={"token": token})

    assert erased.status_code == 200 and "Ihre Daten sind gelöscht" in erased.text
    await erased_everywhere_and_the_waiting_list_moved_up(system, event, person, registered, waiting, "registrant")
    after = await client.get(data_link)
    assert after.status_code == 200 and "Die Angaben zu dieser Anmeldung sind gelöscht" in after.text
    assert person["first_name"] not in after.text


async def confirmed_with_someone_waiting(system: System) -> tuple[dict, dict, dict, dict]:
    """An event with one seat and one waiting-list place, the person confirmed in it (every email sent and found
    by the scan), someone waitlisted behind: the event, the person, their registration, the waiting one."""
    event = await system.event([(1, 1)])
    person = unique_person()
    registered = await register_and_send_every_email(system, event, person)
    waiting = (await system.saga.register(event, event["sessions"][0], wait=5)).json()
    assert waiting["status"] == "waitlisted"
    assert len(await system.hits(needles(person))) >= 6  # the scan finds what is there
    return event, person, registered, waiting


async def erased_everywhere_and_the_waiting_list_moved_up(system: System, event: dict, person: dict, registered: dict,
                                                          waiting: dict, because: str) -> None:
    """After erasing `registered` (then confirmed, with `waiting` waitlisted behind it): `waiting` has the seat and
    its email, the person is nowhere, and the anonymous record still counts."""
    await system.wait_erased_in_notification(registered["id"])

    async def moved_up() -> bool:
        return (await system.saga.status(waiting))["status"] == "confirmed"
    await wait_until(moved_up, timeout=30, what="the waiting list moving up into the freed seat")
    await system.mailbox.wait_for(1, timeout=30, predicate=lambda m: "nachgerückt" in m.subject.lower()
                                  or waiting["id"] in m.text)
    assert await system.hits(needles(person)) == []
    record = await anonymous_record(system, registered["id"])
    assert (record["status"], record["erased_because"], record["history"]) == (
        "cancelled", because, ["pending", "confirmed", "cancelled"])
    assert all(record[name] is None for name in PERSONAL)
    counted = await system.saga.registration.fetch("SELECT count(*) AS n FROM registration WHERE event_id = $1::uuid",
                                                   event["id"])
    assert counted[0]["n"] == 2  # the statistics still count it


@pytest.mark.parametrize("route", ["registration", "address"])
async def test_erased_by_staff_through_the_api_the_person_is_in_no_database_and_no_log_nor_in_the_audit_trail(
        system: System, route: str):
    """An organiser of the event erases on the person's request: the one registration, or by the address."""
    event, person, registered, waiting = await confirmed_with_someone_waiting(system)
    staff = system.saga.registration.account_headers(organiser(event["organisers"][0]["id"]), name="Olga Orga")
    client = system.saga.registration.client

    if route == "registration":
        answer = await client.post(f"/api/staff/registrations/{registered['id']}/erase", headers=staff)
        assert answer.status_code == 200, answer.text
        assert (answer.json()["status"], answer.json()["erased_because"], answer.json()["email"]) == (
            "cancelled", "staff", None)
    else:
        answer = await client.post("/api/staff/erasures", json={"email": person["email"]}, headers=staff)
        assert answer.status_code == 200 and answer.json() == {"erased": 1}, answer.text

    await erased_everywhere_and_the_waiting_list_moved_up(system, event, person, registered, waiting, "staff")
    entries = await system.saga.registration.fetch(
        "SELECT action, target_id, event_id, actor_name, to_jsonb(a)::text AS entry FROM audit_entry a "
        "WHERE target_id = $1", registered["id"])
    assert [(e["action"], str(e["event_id"]), e["actor_name"]) for e in entries] == [
        ("registration.erased", event["id"], "Olga Orga")]
    assert not any(needle.lower() in entries[0]["entry"].lower() for needle in needles(person))


async def test_the_retention_job_erases_once_the_events_retention_period_has_run_out(system: System):
    event = await system.event([(5, 0)], retention_days=30)
    person = unique_person()
    registered = await register_and_send_every_email(system, event, person)
    ends_at = datetime.fromisoformat(event["ends_at"])
    conn = await connect(system.saga.registration.dsn)
    try:
        not_yet = await erase_due(conn, ends_at + timedelta(days=30) - timedelta(seconds=1))
        assert not_yet == 0 and await system.hits(needles(person))
        assert await erase_due(conn, ends_at + timedelta(days=30)) == 1
        assert await erase_due(conn, ends_at + timedelta(days=31)) == 0  # erased is erased
    finally:
        await conn.close()

    await system.wait_erased_in_notification(registered["id"])
    assert await system.hits(needles(person)) == []
    record = await anonymous_record(system, registered["id"])
    # After the event nothing is cancelled: the anonymous record says it was confirmed.
    assert (record["status"], record["erased_because"]) == ("confirmed", "retention")
    assert all(record[name] is None for name in PERSONAL)


async def test_staff_erase_every_registration_of_an_address_across_events(system: System):
    first, second = await system.event([(5, 0)], title="Masterplan Industrie"), await system.event([(5, 0)])
    person = unique_person()
    registrations = [await register_and_send_every_email(system, event, person) for event in (first, second)]
    # A staff message to the participants is an email about the registration like the others: erased with them.
    sent = await system.saga.registration.client.post(
        f"/api/staff/events/{first['id']}/messages", headers=system.saga.registration_staff,
        json={"session_id": None, "audience": "all", "subject": "Raumänderung", "body": "Jetzt in Raum 2.14."})
    assert sent.status_code == 202 and sent.json()["recipients"] == 1, sent.text
    await system.mailbox.wait_for(1, timeout=30, predicate=lambda m: person["email"] in m.rcpt_tos
                                  and m.subject == "[Masterplan Industrie] Raumänderung")

    async def message_logged() -> bool:
        return bool(await system.saga.registration.fetch(
            "SELECT 1 FROM registration_email WHERE kind = 'staff_message' AND status = 'sent'"))
    await wait_until(message_logged, timeout=30, what="the staff message's delivery kept for the registration")
    conn = await connect(system.saga.registration.dsn)
    try:
        erased = await erase_address(conn, person["email"].upper(), ErasedBecause.staff, datetime.now(UTC))
    finally:
        await conn.close()

    assert sorted(map(str, erased)) == sorted(r["id"] for r in registrations)
    for registered in registrations:
        await system.wait_erased_in_notification(registered["id"])
        record = await anonymous_record(system, registered["id"])
        assert (record["status"], record["erased_because"]) == ("cancelled", "staff")
    assert await system.hits(needles(person)) == []
    # Staff asking for it afterwards get the anonymous record, and nothing changes.
    again = await system.saga.registration.client.post(f"/api/staff/registrations/{registrations[0]['id']}/cancel",
                                                       headers=system.saga.registration_staff)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["first_name"], again.json()["erased_because"]) == (
        "cancelled", None, "staff")


async def test_an_erasure_while_notification_is_down_completes_when_it_is_back(system: System, start_service):
    event = await system.event([(5, 0)])
    person = unique_person()
    registered = await register_and_send_every_email(system, event, person)
    database = system.notification.settings.database_name
    await system.notification.stop()
    conn = await connect(system.saga.registration.dsn)
    try:
        await erase(conn, registered["id"], ErasedBecause.registrant, datetime.now(UTC))
    finally:
        await conn.close()

    system.notification = await start_service("notification", database_name=database, smtp_host=system.mailbox.host,
                                              smtp_port=system.mailbox.smtp_port, sender_poll_seconds=0.05)
    await system.wait_erased_in_notification(registered["id"])
    assert await system.hits(needles(person)) == []


async def test_a_seat_decision_after_the_erasure_brings_no_data_back(system: System, start_service):
    event = await system.event([(5, 0)])
    person = unique_person()
    catalog_database = system.saga.catalog.settings.database_name
    await system.saga.catalog.stop()
    pending = (await system.saga.register(event, event["sessions"][0], **person)).json()
    assert pending["status"] == "pending"
    page = await system.saga.registration.client.get(pending["links"]["my_data"])
    token = re.search(r'token=([^"&]+)', pending["links"]["my_data"]).group(1)
    assert person["first_name"] in page.text
    erased = await system.saga.registration.client.post(f"/r/{pending['id']}/erase", data={"token": token})
    assert erased.status_code == 200

    system.saga.catalog = await start_service("catalog", database_name=catalog_database)

    async def decided_and_released() -> bool:
        rows = await system.saga.catalog.fetch(
            "SELECT event_type FROM outbox_message WHERE message_key = $1 AND published_at IS NOT NULL",
            pending["id"])
        return {"SeatAllocated", "SeatReleased"} <= {row["event_type"] for row in rows}
    await wait_until(decided_and_released, timeout=30, what="the catalog's seat decision and release, after the erasure")

    async def decision_read() -> bool:  # the registration service has read the seat topic to its end
        rows = await system.saga.registration.fetch(
            "SELECT count(*) AS n FROM inbox_message WHERE consumer = 'registration'")
        return rows[0]["n"] >= 2
    await wait_until(decision_read, timeout=30, what="the registration service reading the decision")
    await system.wait_erased_in_notification(pending["id"])
    record = await anonymous_record(system, pending["id"])
    assert (record["status"], record["erased_because"]) == ("cancelled", "registrant")
    assert all(record[name] is None for name in PERSONAL)
    assert await system.notification.fetch("SELECT 1 FROM registration WHERE id = $1::uuid", pending["id"]) == []
    assert await system.hits(needles(person)) == []


async def test_a_redelivered_erasure_changes_nothing(system: System):
    from notification.adapters.erasure import erase as erase_in_notification

    event = await system.event([(5, 0)])
    person = unique_person()
    registered = await register_and_send_every_email(system, event, person)
    conn = await connect(system.saga.registration.dsn)
    try:
        await erase(conn, registered["id"], ErasedBecause.registrant, datetime.now(UTC))
        again = await erase(conn, registered["id"], ErasedBecause.registrant, datetime.now(UTC))
    finally:
        await conn.close()
    await system.wait_erased_in_notification(registered["id"])
    assert again.erased_because == "registrant"
    erasures = await system.saga.registration.fetch(
        "SELECT count(*) AS n FROM outbox_message WHERE message_key = $1 AND event_type = 'RegistrationErased'",
        registered["id"])
    assert erasures[0]["n"] == 1  # erasing again published nothing

    before = await _notification_state(system)
    conn = await connect(system.notification.dsn)
    try:  # the handler's work once more, as a redelivery past the inbox would do it
        async with conn.transaction():
            await erase_in_notification(conn, [registered["id"]], [datetime.now(UTC)])
    finally:
        await conn.close()
    assert await _notification_state(system) == before
    assert await system.hits(needles(person)) == []


async def _notification_state(system: System) -> dict:
    [row] = await system.notification.fetch(
        """
        SELECT (SELECT count(*) FROM email) AS emails, (SELECT count(*) FROM contact_notice) AS notices,
               (SELECT count(*) FROM registration) AS registrations,
               (SELECT array_agg(erased_at ORDER BY id) FROM erased_registration) AS erased
        """)
    return dict(row)
