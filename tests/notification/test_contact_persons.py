"""The sessions' contact persons hear about registrations as they chose: coalesced, daily, or not at all."""

import asyncio
from datetime import datetime

from treffpunkt_shared.contracts.registration import RegistrationConfirmed, RegistrationWaitlisted
from treffpunkt_shared.local_time import BERLIN

from .scenario import (
    CHAMBER_CONTACT,
    CITY_CONTACT,
    LOGISTICS,
    LOGISTICS_CONTACT,
    TITLE,
    publish_event,
    publish_registration_events,
    registration,
    staff_headers,
    to,
)

# Long enough for the schedule (polled every 50 ms in the tests) to have had its say several times.
SETTLE = 0.4


async def test_immediate_contact_persons_get_one_email_per_window_listing_everything_new(
        notification, mailbox, kafka_bootstrap, clock):
    await publish_event(notification, kafka_bootstrap)
    rush = [registration(n) for n in range(1, 51)]
    await publish_registration_events(kafka_bootstrap, *(RegistrationConfirmed(registration=r) for r in rush))
    await mailbox.wait_for(50, predicate=lambda m: m.subject.startswith("Anmeldung bestätigt"))
    await asyncio.sleep(SETTLE)
    assert await mailbox.wait_for(0, predicate=to(CHAMBER_CONTACT.email)) == []  # the window is still open

    clock.advance(seconds=300)  # the default window
    (chamber,) = await mailbox.wait_for(1, predicate=to(CHAMBER_CONTACT.email))
    (city,) = await mailbox.wait_for(1, predicate=to(CITY_CONTACT.email))

    for notice in (chamber, city):
        assert notice.subject == f"50 Neuigkeiten zu Anmeldungen: {TITLE}"
        for r in rush:
            line = f"Anna {r.participant.last_name} ({r.participant.organisation}): bestätigt"
            assert line in notice.text
            assert r.participant.last_name in notice.html
    assert "Petra Probe" in chamber.text

    # The next registration opens the next window; its email lists only what is new.
    late = registration(51)
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=late))
    await mailbox.wait_for(1, predicate=to(late.participant.email))
    await asyncio.sleep(SETTLE)
    assert len(await mailbox.wait_for(1, predicate=to(CHAMBER_CONTACT.email))) == 1
    clock.advance(seconds=300)
    chamber_emails = await mailbox.wait_for(2, predicate=to(CHAMBER_CONTACT.email))
    assert chamber_emails[1].subject == f"1 Neuigkeit zu Anmeldungen: {TITLE}"
    assert "Anna Beispiel-51" in chamber_emails[1].text and "Beispiel-50" not in chamber_emails[1].text
    # The other session's contact person heard nothing: none of it was about their session.
    assert await mailbox.wait_for(0, predicate=to(LOGISTICS_CONTACT.email)) == []


async def test_daily_digests_come_at_the_configured_hour_and_off_means_none(notification, mailbox, kafka_bootstrap, clock):
    clock.set(datetime(2027, 3, 1, 6, 30, tzinfo=BERLIN))
    await publish_event(notification, kafka_bootstrap)
    token = await notification.create_token()
    for contact, mode in ((CHAMBER_CONTACT, "daily"), (CITY_CONTACT, "off")):
        answer = await notification.client.put(f"/api/contact-persons/{contact.id}/preference",
                                               json={"mode": mode}, headers=staff_headers(token))
        assert answer.status_code == 200, answer.text
    people = [registration(n) for n in range(1, 5)]
    await publish_registration_events(
        kafka_bootstrap, *(RegistrationConfirmed(registration=r) for r in people[:3]),
        RegistrationWaitlisted(registration=people[3], waitlist_position=1),
        RegistrationConfirmed(registration=registration(5, session=LOGISTICS)))
    await mailbox.wait_for(5, predicate=lambda m: m.rcpt_tos[0].startswith("person"))
    clock.advance(minutes=29, seconds=59)  # 06:59:59
    await asyncio.sleep(SETTLE)
    assert await mailbox.wait_for(0, predicate=to(CHAMBER_CONTACT.email)) == []

    clock.advance(seconds=1)  # 07:00, the default digest hour
    (digest,) = await mailbox.wait_for(1, predicate=to(CHAMBER_CONTACT.email))

    assert digest.subject == f"Tagesübersicht der Anmeldungen: {TITLE}"
    assert "Klimaschutz in der Bauleitplanung (Mittwoch, 10. März 2027): 3 von 25 Plätzen belegt, Warteliste 1 von 10" \
        in digest.text
    assert "<strong>3 / 25</strong> Plätze" in digest.html
    for r in people[:3]:
        assert f"Anna {r.participant.last_name} (Firma {r.participant.last_name[-1]} GmbH): bestätigt" in digest.text
    assert "Anna Beispiel-4 (Firma 4 GmbH): auf der Warteliste" in digest.text
    assert "Beispiel-5" not in digest.text  # another session, another contact person

    # One digest a day, however long the day; `off` gets nothing, whatever the time.
    clock.advance(hours=5)
    await asyncio.sleep(SETTLE)
    assert len(await mailbox.wait_for(1, predicate=to(CHAMBER_CONTACT.email))) == 1
    assert await mailbox.wait_for(0, predicate=to(CITY_CONTACT.email)) == []
    # The logistics session's contact person kept the default: one coalesced notice.
    (notice,) = await mailbox.wait_for(1, predicate=to(LOGISTICS_CONTACT.email))
    assert notice.subject == f"1 Neuigkeit zu Anmeldungen: {TITLE}"


async def test_staff_read_and_set_preferences_with_clear_errors(notification, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    writer, reader = await notification.create_token(), await notification.create_token(can_write=False)
    path = f"/api/contact-persons/{CHAMBER_CONTACT.id}/preference"

    default = (await notification.client.get(path, headers=staff_headers(reader))).json()
    assert (default["mode"], default["language"], default["updated_by"]) == ("immediate", "de", None)

    answer = await notification.client.put(path, json={"mode": "daily", "language": "en"}, headers=staff_headers(writer))
    assert answer.status_code == 200
    stored = (await notification.client.get(path, headers=staff_headers(reader))).json()
    assert (stored["mode"], stored["language"], stored["updated_by"]) == ("daily", "en", "token:test-write")

    wrong_mode = await notification.client.put(path, json={"mode": "weekly"}, headers=staff_headers(writer))
    assert wrong_mode.status_code == 422
    assert wrong_mode.json()["detail"][0]["loc"] == ["body", "mode"]
    read_only = await notification.client.put(path, json={"mode": "off"}, headers=staff_headers(reader))
    assert read_only.status_code == 403
    no_token = await notification.client.get(path)
    assert no_token.status_code == 401
    unknown = await notification.client.get("/api/contact-persons/00000000-0000-4000-8000-000000000000/preference",
                                            headers=staff_headers(reader))
    assert unknown.status_code == 404
    assert "No session known here lists a contact person" in unknown.json()["detail"]
