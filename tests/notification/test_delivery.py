"""Delivery: through an SMTP outage, despite redelivered events, and with a recipient refused for good."""

import asyncio
from collections import Counter

from treffpunkt_shared.contracts.delivery import DELIVERY_EVENTS, DELIVERY_TOPIC, EmailFailed, EmailSent
from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC, RegistrationConfirmed, RegistrationWaitlisted

from ..waiting import wait_until
from .scenario import TITLE, publish, publish_event, publish_registration_events, registration, staff_headers, to


async def test_after_an_smtp_outage_everything_is_delivered_once(notification, mailbox, kafka_bootstrap, read_topic):
    await publish_event(notification, kafka_bootstrap)
    token = await notification.create_token(can_write=False)
    await mailbox.go_down()
    people = [registration(n) for n in range(1, 11)]
    await publish_registration_events(kafka_bootstrap, *(RegistrationConfirmed(registration=r) for r in people))

    async def deliveries(person) -> list[dict]:
        return (await notification.client.get("/api/deliveries", headers=staff_headers(token),
                                              params={"registration_id": str(person.registration_id)})).json()

    async def all_retrying() -> bool:
        logs = [await deliveries(person) for person in people]
        return all(log and log[0]["status"] == "pending" and log[0]["attempts"] >= 1 for log in logs)

    await wait_until(all_retrying, what="every email failed once and waiting for the next attempt")
    (entry,) = await deliveries(people[0])
    assert "SMTPConnectError" in entry["last_error"] and entry["next_attempt_at"] is not None

    await mailbox.come_up()
    mailbox.transient_failures = 3  # and then, for a moment, "451 try again later"
    received = await mailbox.wait_for(10, predicate=lambda m: m.subject.startswith("Anmeldung bestätigt"))
    await asyncio.sleep(0.5)

    assert sorted(m.rcpt_tos[0] for m in mailbox.messages) == sorted(r.participant.email for r in people)
    assert len({m.message_id for m in received}) == 10
    delivered = [e.parse_payload(DELIVERY_EVENTS) for e in await read_topic(DELIVERY_TOPIC, count=10)]
    assert all(isinstance(event, EmailSent) for event in delivered)
    assert {event.message_id for event in delivered} == {m.message_id for m in received}
    attempts = Counter(event.attempts for event in delivered)
    print(f"\nSMTP outage: {len(delivered)} emails delivered once each; attempts per email: {dict(sorted(attempts.items()))}")
    assert min(attempts) >= 2  # every one of them had met the outage


async def test_the_same_events_delivered_twice_send_no_second_email(notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    confirmed, waiting = registration(1), registration(2)
    first = await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=confirmed),
                                              RegistrationWaitlisted(registration=waiting, waitlist_position=1))
    await mailbox.wait_for(2, predicate=lambda m: m.rcpt_tos[0].startswith("person"))

    # The same messages again (a redelivery), and the same events in new envelopes (a producer's repeat).
    repeated = [Envelope.wrap(RegistrationConfirmed(registration=confirmed), producer="registration",
                              correlation_id=str(confirmed.registration_id)),
                Envelope.wrap(RegistrationWaitlisted(registration=waiting, waitlist_position=1), producer="registration",
                              correlation_id=str(waiting.registration_id))]
    await publish(kafka_bootstrap, REGISTRATION_TOPIC, *first, *repeated)

    async def all_handled() -> bool:
        rows = await notification.fetch("SELECT count(*) AS n FROM inbox_message WHERE consumer = 'notification'")
        return rows[0]["n"] >= 1 + 4  # the catalog's event and four distinct registration messages

    await wait_until(all_handled, what="the repeated messages handled")
    await asyncio.sleep(0.3)
    to_registrants = [m for m in mailbox.messages if m.rcpt_tos[0].startswith("person")]
    assert sorted(m.subject for m in to_registrants) == [f"Anmeldung bestätigt: {TITLE}", f"Warteliste, Platz 1: {TITLE}"]


async def test_a_permanently_refused_recipient_is_marked_failed_and_the_others_still_get_theirs(
        notification, mailbox, kafka_bootstrap, read_topic):
    await publish_event(notification, kafka_bootstrap)
    token = await notification.create_token(can_write=False)
    refused, fine = registration(1, email="niemand@firma.example.de"), registration(2)
    mailbox.reject_recipients["niemand@firma.example.de"] = (550, "5.1.1 Mailbox unavailable")
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=refused),
                                      RegistrationConfirmed(registration=fine))

    await mailbox.wait_for(1, predicate=to(fine.participant.email))

    async def failed() -> bool:
        log = (await notification.client.get("/api/deliveries", params={"recipient": "Niemand@Firma.example.de"},
                                             headers=staff_headers(token))).json()
        return bool(log) and log[0]["status"] == "failed"

    await wait_until(failed, what="the refused email marked failed")
    (entry,) = (await notification.client.get("/api/deliveries", headers=staff_headers(token),
                                              params={"registration_id": str(refused.registration_id)})).json()
    assert entry["last_error"] == entry["smtp_reply"] == "550 5.1.1 Mailbox unavailable"
    assert entry["attempts"] == 1  # a permanent refusal is not tried again
    assert entry["subject"] == f"Anmeldung bestätigt: {TITLE}" and entry["failed_at"] is not None

    outcomes = {e.correlation_id: e.parse_payload(DELIVERY_EVENTS) for e in await read_topic(DELIVERY_TOPIC, count=2)}
    refusal = outcomes[str(refused.registration_id)]
    assert isinstance(refusal, EmailFailed)
    assert (refusal.error, refusal.permanent, refusal.recipient) == ("550 5.1.1 Mailbox unavailable", True,
                                                                     "niemand@firma.example.de")
    assert isinstance(outcomes[str(fine.registration_id)], EmailSent)
    assert all("niemand" not in m.rcpt_tos[0] for m in mailbox.messages)

    missing = await notification.client.get("/api/deliveries", headers=staff_headers(token))
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["query", "registration_id"]
