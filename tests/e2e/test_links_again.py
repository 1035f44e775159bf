"""'Send me my links again': the same answer whoever asks, the links only to the registration's own
address, in an email from the notification service, and within the limits per address and per client."""

import re

from ..faults.rush import RUSH_RATE_LIMITS
from ..saga.scenario import start_saga
from ..waiting import wait_until

NEUTRAL = {"de": "Falls Sie angemeldet sind, ist eine E-Mail unterwegs.",
           "en": "If you are registered, an email is on its way."}


def links_emails(mailbox, address: str) -> list:
    return [m for m in mailbox.messages if address in m.rcpt_tos and m.subject.startswith(("Ihre Links", "Your registration"))]


async def test_the_links_go_only_to_the_registered_address_and_only_for_that_event(start_service, mailbox):
    saga = await start_saga(start_service, **RUSH_RATE_LIMITS)
    notification = await start_service("notification", smtp_host=mailbox.host, smtp_port=mailbox.smtp_port,
                                       sender_poll_seconds=0.1)
    first = await saga.create_event([(5, 0)], title="Masterplan Industrie")
    other = await saga.create_event([(5, 0)], title="Fachkräfte in der Region")
    for event in (first, other):
        async def known(event_id=event["id"]) -> bool:
            return bool(await notification.fetch("SELECT 1 FROM catalog_event WHERE id = $1::uuid", event_id))
        await wait_until(known, what="the notification service's copy of the event")
    jana, sentinel, stranger = "jana.muster@example.org", "erik.beispiel@example.org", "nobody@example.org"
    registered = (await saga.register(first, first["sessions"][0], wait=5, email=jana, first_name="Jana")).json()
    elsewhere = (await saga.register(other, other["sessions"][0], wait=5, email=jana, first_name="Jana")).json()
    await saga.register(first, first["sessions"][0], wait=5, email=sentinel)

    ask = saga.registration.client.post
    answers = [
        await ask("/api/registrations/links", json={"event_id": first["id"], "email": "Jana.Muster@example.org",
                                                    "language": "en"}),
        await ask("/api/registrations/links", json={"event_id": first["id"], "email": stranger, "language": "en"}),
        # Within the window: the same answer, and nothing sent.
        await ask("/api/registrations/links", json={"event_id": first["id"], "email": jana, "language": "en"}),
    ]
    form = await ask(f"/events/{first['id']}/links", data={"email": stranger, "lang": "de"})
    invalid = await ask("/api/registrations/links", json={"event_id": first["id"], "email": "not an address"})
    await ask("/api/registrations/links", json={"event_id": first["id"], "email": sentinel})

    assert [a.status_code for a in answers] == [202] * 3
    assert [a.json() for a in answers] == [{"message": NEUTRAL["en"]}] * 3
    assert form.status_code == 200 and NEUTRAL["de"] in form.text
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == ["body", "email"]

    await mailbox.wait_for(1, timeout=30, predicate=lambda m: sentinel in m.rcpt_tos and "Ihre Links" in m.subject)
    [email] = await mailbox.wait_for(1, timeout=30, predicate=lambda m: m in links_emails(mailbox, jana))
    assert len(links_emails(mailbox, jana)) == 1
    assert [m for m in mailbox.messages if stranger in m.rcpt_tos] == []
    assert email.subject == "Your registration's links: Masterplan Industrie"
    assert registered["id"] in email.text and elsewhere["id"] not in email.text
    assert elsewhere["id"] not in (email.html or "")

    status_link = re.search(r"(http://\S+/r/\S+\?token=\S+)", email.text).group(1)
    cancel_link = re.search(r"(http://\S+/r/\S+/cancel\?token=\S+)", email.text).group(1)
    page = await saga.registration.client.get(status_link)
    assert page.status_code == 200 and "Masterplan Industrie" in page.text
    assert (await saga.registration.client.get(cancel_link)).status_code == 200
    # A link that is not valid (any more) leads to the links page of its registration's event.
    invalid_link = await saga.registration.client.get(status_link.split("?")[0] + "?token=forged")
    assert invalid_link.status_code == 403 and f'href="/events/{first["id"]}/links?lang=de"' in invalid_link.text
    [delivery] = await notification.fetch("SELECT kind, status FROM email WHERE kind = 'links' AND recipient = $1", jana)
    assert dict(delivery) == {"kind": "links", "status": "sent"}


async def test_one_client_address_gets_its_allowance_of_link_requests_then_429(start_service):
    saga = await start_saga(start_service, **RUSH_RATE_LIMITS, links_per_client=2)
    event = await saga.create_event([(5, 0)])
    body = {"event_id": event["id"], "email": "nobody@example.org"}

    allowed = [await saga.registration.client.post("/api/registrations/links", json=body) for _ in range(2)]
    refused = await saga.registration.client.post("/api/registrations/links", json=body)
    form = await saga.registration.client.post(f"/events/{event['id']}/links", data={"email": "nobody@example.org"})

    assert [a.status_code for a in allowed] == [202, 202]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert form.status_code == 429 and int(form.headers["retry-after"]) > 0
