"""Waiting list, moving up, turned down, cancelled, moved to another session: the right email each, in German and in
English."""

from treffpunkt_shared.contracts.registration import (
    CancelledBy,
    Language,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationMoved,
    RegistrationPromoted,
    RegistrationRejected,
    RegistrationWaitlisted,
)
from treffpunkt_shared.contracts.seats import RejectionReason

from .scenario import LOGISTICS, PLANNING, TITLE, calendar_of, publish_event, publish_registration_events, registration, to


async def test_waitlisted_registrants_learn_their_position(notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    german, english = registration(1), registration(2, language=Language.en)
    await publish_registration_events(kafka_bootstrap, RegistrationWaitlisted(registration=german, waitlist_position=1),
                                      RegistrationWaitlisted(registration=english, waitlist_position=2))

    (de,) = await mailbox.wait_for(1, predicate=to(german.participant.email))
    (en,) = await mailbox.wait_for(1, predicate=to(english.participant.email))

    assert de.subject == f"Warteliste, Platz 1: {TITLE}"
    assert "Warteliste auf Platz 1" in de.text and "Warteliste auf Platz 1" in de.html
    assert "rücken Sie automatisch nach" in de.text
    assert en.subject == f"Waiting list, position 2: {TITLE}"
    assert "waiting list at position 2" in en.text and "waiting list at position 2" in en.html
    assert "Wednesday, 10 March 2027, 14:00–17:30" in en.text
    # Nothing in their calendars until they have a seat; leaving the list is one link away.
    assert de.attachments == [] and en.attachments == []
    assert german.cancel_url in de.text and english.cancel_url in en.text


async def test_moving_up_from_the_waiting_list_confirms_with_a_calendar_file(notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    german, english = registration(1), registration(2, language=Language.en)
    await publish_registration_events(
        kafka_bootstrap,
        RegistrationWaitlisted(registration=german, waitlist_position=1), RegistrationPromoted(registration=german),
        RegistrationWaitlisted(registration=english, waitlist_position=2), RegistrationPromoted(registration=english))

    de = await mailbox.wait_for(2, predicate=to(german.participant.email))
    en = await mailbox.wait_for(2, predicate=to(english.participant.email))

    assert [m.subject for m in de] == [f"Warteliste, Platz 1: {TITLE}", f"Nachgerückt – Anmeldung bestätigt: {TITLE}"]
    assert [m.subject for m in en] == [f"Waiting list, position 2: {TITLE}",
                                       f"A seat is yours – registration confirmed: {TITLE}"]
    assert "von der Warteliste nachgerückt" in de[1].text and "moved up from the waiting list" in en[1].text
    for message, filename in ((de[1], "termin.ics"), (en[1], "event.ics")):
        name, calendar = calendar_of(message)
        assert name == filename
        assert calendar["METHOD"] == "REQUEST"
        assert str(calendar.events[0]["LOCATION"]).startswith("Rathaus, Bürgersaal")


async def test_turned_down_registrants_learn_why(notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    german, english = registration(1), registration(2, language=Language.en)
    await publish_registration_events(
        kafka_bootstrap, RegistrationRejected(registration=german, reason=RejectionReason.full),
        RegistrationRejected(registration=english, reason=RejectionReason.deadline_passed))

    (de,) = await mailbox.wait_for(1, predicate=to(german.participant.email))
    (en,) = await mailbox.wait_for(1, predicate=to(english.participant.email))

    assert de.subject == f"Anmeldung nicht möglich: {TITLE}"
    assert "alle Plätze dieser Session vergeben, und auch die Warteliste ist voll" in de.text
    assert en.subject == f"Registration not possible: {TITLE}"
    assert "the registration deadline has passed" in en.text and "the registration deadline has passed" in en.html
    assert de.attachments == [] and en.attachments == []


async def test_a_cancelled_seat_is_taken_out_of_the_calendar(notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    german, english, waiting = registration(1), registration(2, language=Language.en), registration(3)
    await publish_registration_events(
        kafka_bootstrap,
        RegistrationConfirmed(registration=german),
        RegistrationCancelled(registration=german, cancelled_by=CancelledBy.registrant, previous_status="confirmed"),
        RegistrationConfirmed(registration=english),
        RegistrationCancelled(registration=english, cancelled_by=CancelledBy.staff, previous_status="confirmed"),
        RegistrationWaitlisted(registration=waiting, waitlist_position=1),
        RegistrationCancelled(registration=waiting, cancelled_by=CancelledBy.registrant, previous_status="waitlisted"))

    de = await mailbox.wait_for(2, predicate=to(german.participant.email))
    en = await mailbox.wait_for(2, predicate=to(english.participant.email))
    left_the_list = await mailbox.wait_for(2, predicate=to(waiting.participant.email))

    assert de[1].subject == f"Anmeldung storniert: {TITLE}"
    assert "Sie haben Ihre Anmeldung storniert" in de[1].text
    assert en[1].subject == f"Registration cancelled: {TITLE}"
    assert "cancelled by the organisers" in en[1].text
    for confirmation, cancellation in (de, en):
        _, invitation = calendar_of(confirmation)
        _, withdrawal = calendar_of(cancellation)
        assert withdrawal["METHOD"] == "CANCEL"
        (before,), (after,) = invitation.events, withdrawal.events
        assert after["UID"] == before["UID"]  # the same calendar entry ...
        assert after["SEQUENCE"] > before["SEQUENCE"]  # ... and this file is newer
        assert after["STATUS"] == "CANCELLED"
    # A place on the waiting list was never in the calendar: nothing to take out.
    assert left_the_list[1].subject == f"Anmeldung storniert: {TITLE}"
    assert left_the_list[1].attachments == []


async def test_staffs_reason_for_a_cancellation_is_in_the_persons_email(notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    german, english, without = registration(1), registration(2, language=Language.en), registration(3)
    reason = "Die Sitzung ist für Mitglieder vorgesehen.\nBitte melden Sie sich für eine andere an."
    await publish_registration_events(
        kafka_bootstrap,
        RegistrationCancelled(registration=german, cancelled_by=CancelledBy.staff, previous_status="pending",
                              reason=reason),
        RegistrationCancelled(registration=english, cancelled_by=CancelledBy.staff, previous_status="pending",
                              reason="The session is for members only."),
        RegistrationCancelled(registration=without, cancelled_by=CancelledBy.staff, previous_status="pending"))

    [de] = await mailbox.wait_for(1, predicate=to(german.participant.email))
    [en] = await mailbox.wait_for(1, predicate=to(english.participant.email))
    [plain] = await mailbox.wait_for(1, predicate=to(without.participant.email))
    assert "vom Veranstaltungsteam storniert" in de.text
    assert f"Begründung:\n{reason}" in de.text and "Die Sitzung ist für Mitglieder vorgesehen." in de.html
    assert "Reason:\nThe session is for members only." in en.text and "The session is for members only." in en.html
    assert "vom Veranstaltungsteam storniert" in plain.text and "Begründung" not in plain.text + plain.html


async def test_a_person_moved_to_another_session_learns_it_with_the_calendar_entry_updated(
        notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    german, english = registration(1), registration(2, language=Language.en)
    await publish_registration_events(kafka_bootstrap, *(
        event for person in (german, english) for event in (
            RegistrationConfirmed(registration=person),
            RegistrationMoved(registration=person.model_copy(update={"session_id": LOGISTICS.id}),
                              from_session_id=PLANNING.id))))

    de = await mailbox.wait_for(2, predicate=to(german.participant.email))
    en = await mailbox.wait_for(2, predicate=to(english.participant.email))
    assert de[1].subject == f"Session geändert: {TITLE}" and en[1].subject == f"Your session has changed: {TITLE}"
    assert "in eine andere Session umgebucht" in de[1].text and LOGISTICS.title in de[1].text
    assert "moved your registration to another session" in en[1].text and LOGISTICS.title in en[1].html
    for confirmation, move in (de, en):
        _, before = calendar_of(confirmation)
        _, after = calendar_of(move)
        assert after["METHOD"] == "REQUEST"
        assert after.events[0]["UID"] == before.events[0]["UID"]  # the same entry, updated
        assert after.events[0]["SEQUENCE"] > before.events[0]["SEQUENCE"]
