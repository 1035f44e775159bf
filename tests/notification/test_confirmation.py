"""A confirmed registration: one email to the registrant with everything they need."""

import re
from datetime import datetime

from treffpunkt_shared.contracts.delivery import DELIVERY_TOPIC, EmailSent
from treffpunkt_shared.contracts.registration import RegistrationConfirmed
from treffpunkt_shared.local_time import BERLIN

from .scenario import (
    CHAMBER_CONTACT,
    CITY_CONTACT,
    PLANNING,
    TITLE,
    calendar_of,
    header_address,
    publish_event,
    publish_registration_events,
    registration,
    staff_headers,
    to,
)


async def test_a_confirmed_registration_brings_one_email_with_everything_the_registrant_needs(
        notification, mailbox, kafka_bootstrap, read_topic):
    await publish_event(notification, kafka_bootstrap)
    confirmed = registration(1)
    participant = confirmed.participant
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=confirmed))

    (message,) = await mailbox.wait_for(1, predicate=to(participant.email))

    assert message.subject == f"Anmeldung bestätigt: {TITLE}"
    assert header_address(message, "To").display_name == "Anna Beispiel-1"
    assert str(header_address(message, "From")) == "Treffpunkt Beispielstadt <treffpunkt@beispielstadt.example.de>"
    # Questions go to the session's first contact person.
    assert header_address(message, "Reply-To").addr_spec == CHAMBER_CONTACT.email
    for body in (message.text, message.html):
        assert "Ihre Anmeldung ist" in body and "bestätigt" in body
        assert TITLE in body and PLANNING.title in body
        assert "Mittwoch, 10. März 2027, 14:00–17:30 Uhr" in body
        assert "Rathaus, Bürgersaal, Marktplatz 1, 12345 Beispielstadt" in body
        assert "Ihre Fragen zu Bebauungsplänen" in body  # what to bring
        for contact in (CHAMBER_CONTACT, CITY_CONTACT):
            assert contact.name in body and contact.organisation_name in body and contact.email in body
        assert CHAMBER_CONTACT.phone in body
        assert confirmed.status_url in body
    assert confirmed.cancel_url in message.text
    assert f'href="{confirmed.cancel_url}"' in message.html
    # Readable on a phone, and nothing that loads from elsewhere.
    assert '<meta name="viewport"' in message.html
    assert not re.search(r"<img|\bsrc=|<link|url\(", message.html, re.IGNORECASE)

    filename, calendar = calendar_of(message)
    assert filename == "termin.ics"
    assert calendar["METHOD"] == "REQUEST"
    (entry,) = calendar.events
    assert entry.start == datetime(2027, 3, 10, 14, 0, tzinfo=BERLIN)
    assert entry.end == datetime(2027, 3, 10, 17, 30, tzinfo=BERLIN)
    assert str(entry.start.tzinfo) == "Europe/Berlin"
    assert str(entry["LOCATION"]) == "Rathaus, Bürgersaal, Marktplatz 1, 12345 Beispielstadt"
    assert str(entry["UID"]) == f"registration-{confirmed.registration_id}@beispielstadt.example.de"

    (delivered,) = await read_topic(DELIVERY_TOPIC, count=1)
    sent = delivered.parse_payload({"EmailSent": EmailSent})
    assert sent.message_id == message.message_id
    assert (sent.kind, sent.registration_id, sent.recipient) == ("confirmed", confirmed.registration_id, participant.email)
    assert delivered.correlation_id == str(confirmed.registration_id)

    token = await notification.create_token(can_write=False)
    log = (await notification.client.get("/api/deliveries", params={"registration_id": str(confirmed.registration_id)},
                                         headers=staff_headers(token))).json()
    assert [(e["kind"], e["recipient"], e["subject"], e["status"], e["attempts"]) for e in log] == [
        ("confirmed", participant.email, message.subject, "sent", 1)]
    assert log[0]["smtp_reply"].startswith("250 ")
