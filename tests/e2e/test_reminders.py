"""Reminders through all three services: staff set an event's schedule in the catalog, a participant who
registered over HTTP gets the reminder at that time with the calendar file, and its cancel link frees the
seat for the waiting list. The notification service's clock is the test's."""

import asyncio
import re
from datetime import datetime, time, timedelta

import icalendar

from treffpunkt_shared.local_time import BERLIN

from ..notification.conftest import FakeClock
from ..saga.conftest import saga  # noqa: F401  (the fixture, for this package too)
from ..waiting import wait_until


def reminders(mailbox, address: str) -> list:
    return [m for m in mailbox.messages if address in m.rcpt_tos and m.subject.startswith("Erinnerung:")]


async def test_the_reminder_comes_at_the_staffs_time_and_its_cancel_link_frees_the_seat(
        saga,  # noqa: F811
        start_service, mailbox):
    event = await saga.create_event([(1, 1)], reminder={"days_before": 1, "local_time": "18:00"})
    assert event["reminder"] == {"enabled": True, "days_before": 1, "local_time": "18:00"}
    starts_at = datetime.fromisoformat(event["starts_at"])
    due = datetime.combine(starts_at.astimezone(BERLIN).date() - timedelta(days=1), time(18, 0), tzinfo=BERLIN)
    clock = FakeClock(due - timedelta(minutes=1))
    notification = await start_service("notification", app_options={"clock": clock}, smtp_host=mailbox.host,
                                       smtp_port=mailbox.smtp_port, sender_poll_seconds=0.1, reminder_poll_seconds=0.1)

    async def known() -> bool:
        return bool(await notification.fetch("SELECT 1 FROM catalog_event WHERE id = $1::uuid", event["id"]))

    await wait_until(known, what="the notification service's copy of the event")
    jana, erik = "jana.muster@example.org", "erik.beispiel@example.org"
    seat = (await saga.register(event, event["sessions"][0], wait=5, email=jana, first_name="Jana")).json()
    waiting = (await saga.register(event, event["sessions"][0], wait=5, email=erik, first_name="Erik")).json()
    assert (seat["status"], waiting["status"]) == ("confirmed", "waitlisted")
    await mailbox.wait_for(1, timeout=20, predicate=lambda m: jana in m.rcpt_tos)
    await mailbox.wait_for(1, timeout=20, predicate=lambda m: erik in m.rcpt_tos)
    await asyncio.sleep(0.5)
    assert reminders(mailbox, jana) == []  # a minute early

    clock.set(due)
    [reminder] = await mailbox.wait_for(1, timeout=20, predicate=lambda m: m in reminders(mailbox, jana))
    assert "Sie können nicht kommen? Geben Sie Ihren Platz für die Warteliste frei" in reminder.text
    [ics] = [payload for _, content_type, payload in reminder.attachments if content_type == "text/calendar"]
    [entry] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert entry.decoded("DTSTART") == starts_at and "Rathaus Musterstadt" in str(entry["LOCATION"])

    cancel_link = re.search(r"(http://\S+/r/\S+/cancel\?token=\S+)", reminder.text).group(1)
    assert (await saga.registration.client.get(cancel_link)).status_code == 200
    done = await saga.registration.client.post(cancel_link.split("?")[0], data={"token": cancel_link.split("token=")[1]})
    assert done.status_code == 200
    assert (await saga.status(seat))["status"] == "cancelled"

    async def moved_up() -> bool:
        return (await saga.status(waiting))["status"] == "confirmed"

    await wait_until(moved_up, what="the waiting list moving up into the freed seat")
    await mailbox.wait_for(2, timeout=20, predicate=lambda m: erik in m.rcpt_tos)  # told of the seat

    await asyncio.sleep(0.5)
    assert len(reminders(mailbox, jana)) == 1
    [delivery] = await notification.fetch("SELECT status FROM email WHERE kind = 'reminder' AND recipient = $1", jana)
    assert delivery["status"] == "sent"
