"""A staff message over the broker to a real mailbox: the registration service chooses the recipients, the
notification service sends one email to each (the event named in the subject, the frame in the registration's
language), and a redelivery, of the same message or of a copy queued again, sends nothing more."""

import json

from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC

from ..notification.scenario import publish
from ..saga.scenario import start_saga
from ..staff_tokens import organiser
from ..waiting import wait_until


async def test_a_message_to_a_sessions_confirmed_participants_arrives_once_at_each(start_service, mailbox,
                                                                                   kafka_bootstrap):
    saga = await start_saga(start_service)
    notification = await start_service("notification", smtp_host=mailbox.host, smtp_port=mailbox.smtp_port,
                                       sender_poll_seconds=0.1)
    event = await saga.create_event([(2, 1)], title="Fachkräfte-Gipfel")

    async def known() -> bool:
        return bool(await notification.fetch("SELECT 1 FROM catalog_event WHERE id = $1::uuid", event["id"]))

    await wait_until(known, what="the notification service's copy of the event")
    session = event["sessions"][0]
    people = {"ada@example.org": "de", "ben@example.org": "en", "cem@example.org": "de"}
    for address, language in people.items():
        answer = await saga.register(event, session, wait=5, email=address, language=language)
        assert answer.status_code == 201, answer.text
    await mailbox.wait_for(3, timeout=30, predicate=lambda m: "Fachkräfte-Gipfel" in m.subject)
    before = len(mailbox.messages)

    sent = await saga.registration.client.post(
        f"/api/staff/events/{event['id']}/messages",
        headers=saga.registration.account_headers(organiser(event["organisers"][0]["id"])),
        json={"session_id": session["id"], "audience": "confirmed", "subject": "Raumänderung",
              "body": "Wir treffen uns in Raum 2.14.\n\nBitte seien Sie pünktlich."})
    assert sent.status_code == 202 and sent.json()["recipients"] == 2, sent.text

    def staff_messages(m) -> bool:
        return m.subject == "[Fachkräfte-Gipfel] Raumänderung"

    arrived = await mailbox.wait_for(2, timeout=30, predicate=staff_messages)
    assert sorted(a for m in arrived for a in m.rcpt_tos) == ["ada@example.org", "ben@example.org"]
    by_address = {m.rcpt_tos[0]: m for m in arrived}
    assert "Raum 2.14" in by_address["ada@example.org"].text and "Guten Tag" in by_address["ada@example.org"].text
    assert "The organisers of" in by_address["ben@example.org"].text
    assert "Raum 2.14<br>" not in (by_address["ada@example.org"].html or "")
    assert "<p>Bitte seien Sie pünktlich.</p>" in (by_address["ada@example.org"].html or "")

    # Redelivered as it was (the inbox knows it), and queued again as a new message (the dedup key knows it).
    rows = await saga.registration.fetch(
        "SELECT body::text AS body FROM outbox_message WHERE event_type = 'StaffMessageToParticipant'")
    originals = [Envelope.model_validate(json.loads(row["body"])) for row in rows]
    copies = [e.model_copy(update={"event_id": type(e.event_id)(int=e.event_id.int ^ 1)}) for e in originals]
    await publish(kafka_bootstrap, REGISTRATION_TOPIC, *originals, *copies)

    async def copies_handled() -> bool:
        handled = await notification.fetch("SELECT event_id FROM inbox_message WHERE event_id = ANY($1::uuid[])",
                                           [c.event_id for c in copies])
        return len(handled) == len(copies)

    await wait_until(copies_handled, what="the notification service handling the copies")
    logged = await notification.fetch("SELECT recipient FROM email WHERE kind = 'staff_message'")
    assert sorted(r["recipient"] for r in logged) == ["ada@example.org", "ben@example.org"]

    async def in_the_delivery_log() -> bool:
        rows = await notification.fetch("SELECT status FROM email WHERE kind = 'staff_message'")
        return [r["status"] for r in rows] == ["sent", "sent"]

    await wait_until(in_the_delivery_log, what="both emails sent in the delivery log")
    assert len([m for m in mailbox.messages if staff_messages(m)]) == 2
    assert [m for m in mailbox.messages[before:] if "cem@example.org" in m.rcpt_tos] == []
