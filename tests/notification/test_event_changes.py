"""When the catalog cancels an event or moves it, everyone still registered is told, and the calendar
entry of those with a seat is removed or updated."""

import asyncio
from datetime import datetime

from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.contracts.registration import (
    CancelledBy,
    Language,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationRejected,
    RegistrationWaitlisted,
)
from treffpunkt_shared.contracts.seats import RejectionReason
from treffpunkt_shared.local_time import BERLIN

from .scenario import EVENT, TITLE, calendar_of, publish_event, publish_registration_events, registration, to


async def test_a_cancelled_event_is_cancelled_in_the_calendars_of_everyone_registered(
        notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    seat, waiting, rejected, withdrawn = (registration(1), registration(2, language=Language.en), registration(3),
                                          registration(4))
    await publish_registration_events(
        kafka_bootstrap, RegistrationConfirmed(registration=seat),
        RegistrationWaitlisted(registration=waiting, waitlist_position=1),
        RegistrationRejected(registration=rejected, reason=RejectionReason.full),
        RegistrationConfirmed(registration=withdrawn),
        RegistrationCancelled(registration=withdrawn, cancelled_by=CancelledBy.registrant, previous_status="confirmed"))
    await mailbox.wait_for(5, predicate=lambda m: m.rcpt_tos[0].startswith("person"))

    await publish_event(notification, kafka_bootstrap, EVENT.model_copy(update={"status": EventStatus.cancelled}),
                        minutes=1)

    (confirmation, cancellation) = await mailbox.wait_for(2, predicate=to(seat.participant.email))
    assert cancellation.subject == f"Abgesagt: {TITLE}"
    assert "Veranstaltung abgesagt ist" in cancellation.text
    _, calendar = calendar_of(cancellation)
    assert calendar["METHOD"] == "CANCEL"
    (before,), (after,) = calendar_of(confirmation)[1].events, calendar.events
    assert after["UID"] == before["UID"] and after["SEQUENCE"] > before["SEQUENCE"]
    assert after["STATUS"] == "CANCELLED"

    (_, told) = await mailbox.wait_for(2, predicate=to(waiting.participant.email))
    assert told.subject == f"Cancelled: {TITLE}"
    assert told.attachments == []  # never in their calendar

    await asyncio.sleep(0.3)
    # Those no longer registered are not bothered.
    assert len(await mailbox.wait_for(1, predicate=to(rejected.participant.email))) == 1
    assert len(await mailbox.wait_for(2, predicate=to(withdrawn.participant.email))) == 2


async def test_a_new_time_and_venue_update_the_calendar_entry(notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    seat = registration(1)
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=seat))
    await mailbox.wait_for(1, predicate=to(seat.participant.email))

    moved = EVENT.model_copy(update={
        "starts_at": datetime(2027, 3, 11, 9, 0, tzinfo=BERLIN), "ends_at": datetime(2027, 3, 11, 12, 30, tzinfo=BERLIN),
        "venue_name": "Technologiezentrum, Saal 2", "venue_address": "Innovationsweg 5, 12345 Beispielstadt"})
    await publish_event(notification, kafka_bootstrap, moved, minutes=1)
    # A change that does not touch time or venue is nobody's email.
    await publish_event(notification, kafka_bootstrap, moved.model_copy(update={"description": "Neu formuliert."}),
                        minutes=2)

    (confirmation, update) = await mailbox.wait_for(2, predicate=to(seat.participant.email))
    assert update.subject == f"Geänderter Termin oder Ort: {TITLE}"
    assert "Donnerstag, 11. März 2027, 09:00–12:30 Uhr" in update.text
    assert "Technologiezentrum, Saal 2, Innovationsweg 5, 12345 Beispielstadt" in update.text
    assert "Bisher: Mittwoch, 10. März 2027, 14:00–17:30 Uhr, Rathaus, Bürgersaal" in update.text
    _, calendar = calendar_of(update)
    assert calendar["METHOD"] == "REQUEST"
    (before,), (after,) = calendar_of(confirmation)[1].events, calendar.events
    assert after["UID"] == before["UID"] and after["SEQUENCE"] > before["SEQUENCE"]
    assert (after.start, after.end) == (moved.starts_at, moved.ends_at)
    assert str(after["LOCATION"]) == "Technologiezentrum, Saal 2, Innovationsweg 5, 12345 Beispielstadt"

    await asyncio.sleep(0.3)
    assert len(await mailbox.wait_for(2, predicate=to(seat.participant.email))) == 2
