"""All three services end to end: a registration made over HTTP ends in real emails, and the cancel
link in the email works when followed."""

import re
from datetime import datetime

import icalendar

from ..saga.conftest import saga  # noqa: F401  (the fixture, for this package too)
from ..waiting import wait_until


def calendar_of(message) -> icalendar.Calendar:
    [ics] = [payload for filename, content_type, payload in message.attachments if content_type == "text/calendar"]
    return icalendar.Calendar.from_ical(ics)


async def test_registration_to_emails_and_back_through_the_cancel_link(saga, start_service, mailbox):  # noqa: F811
    notification = await start_service("notification", smtp_host=mailbox.host, smtp_port=mailbox.smtp_port,
                                       coalescing_window_seconds=1, notice_poll_seconds=0.2, sender_poll_seconds=0.1)
    event = await saga.create_event([(1, 1)])

    async def notification_knows_the_event() -> bool:
        rows = await notification.fetch("SELECT 1 FROM catalog_event WHERE id = $1::uuid", event["id"])
        return bool(rows)

    await wait_until(notification_knows_the_event, what="the notification service's copy of the event")
    registrant = "jana.muster@example.org"
    response = await saga.register(event, event["sessions"][0], wait=5, email=registrant, first_name="Jana")
    assert response.json()["status"] == "confirmed"

    [confirmation] = await mailbox.wait_for(1, timeout=20, predicate=lambda m: registrant in m.rcpt_tos)
    assert "Wirtschaft trifft Verwaltung" in confirmation.subject
    assert "Jana" in confirmation.text and "Mara Beispiel" in confirmation.text
    assert confirmation.html and "Mara Beispiel" in confirmation.html
    calendar = calendar_of(confirmation)
    [entry] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert entry.decoded("DTSTART") == datetime.fromisoformat(event["starts_at"])
    assert entry.decoded("DTEND") == datetime.fromisoformat(event["ends_at"])
    assert "Rathaus Musterstadt" in str(entry["LOCATION"])

    [notice] = await mailbox.wait_for(1, timeout=20, predicate=lambda m: "mara.beispiel@hwk.example.org" in m.rcpt_tos)
    assert "Wirtschaft trifft Verwaltung" in notice.subject
    assert "Muster" in notice.text

    cancel_link = re.search(r"(http://\S+/r/\S+/cancel\?token=\S+)", confirmation.text).group(1)
    page = await saga.registration.client.get(cancel_link)
    token = cancel_link.split("token=")[1]
    done = await saga.registration.client.post(cancel_link.split("?")[0], data={"token": token})
    assert page.status_code == 200 and done.status_code == 200
    assert (await saga.status(response.json()))["status"] == "cancelled"

    cancelled = await mailbox.wait_for(2, timeout=20, predicate=lambda m: registrant in m.rcpt_tos)
    assert str(calendar_of(cancelled[1])["METHOD"]) == "CANCEL"
    assert calendar_of(cancelled[1]).walk("VEVENT")[0]["UID"] == entry["UID"]
