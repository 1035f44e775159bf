"""Reminders: every confirmed participant gets one at the event's schedule (two days before at 09:00
Europe/Berlin by default), with the calendar file and the cancel link; nobody else does, nothing goes
twice across replicas and restarts, and a cancelled event or a changed or switched-off schedule is
followed as it is now. The clock is the test's: the scenario's event starts on 10 March 2027 at 14:00."""

import asyncio
from datetime import timedelta

from treffpunkt_shared.contracts.catalog import EventStatus, ReminderSchedule
from treffpunkt_shared.contracts.registration import (
    REGISTRATION_TOPIC,
    CancelledBy,
    Language,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationWaitlisted,
)

from ..waiting import wait_until
from .scenario import (
    EVENT,
    TITLE,
    calendar_of,
    envelope,
    publish,
    publish_event,
    publish_registration_events,
    registration,
    staff_headers,
    to,
)


def reminders(mailbox, address: str | None = None) -> list:
    return [m for m in mailbox.messages if m.subject.startswith(("Erinnerung:", "Reminder:"))
            and (address is None or m.rcpt_tos == (address,))]


async def nothing_more_arrives(mailbox, count: int) -> None:
    """Long enough for many rounds of the schedule and the sender: still `count` reminders."""
    await asyncio.sleep(0.6)
    assert len(reminders(mailbox)) == count


async def test_each_confirmed_participant_gets_one_reminder_at_the_time_with_the_calendar_file(
        start_notification, mailbox, kafka_bootstrap, clock):
    notification = await start_notification()
    await publish_event(notification, kafka_bootstrap)
    jana, alex, waiting, withdrawn = registration(1), registration(2, language=Language.en), registration(3), registration(4)
    await publish_registration_events(
        kafka_bootstrap, RegistrationConfirmed(registration=jana), RegistrationConfirmed(registration=alex),
        RegistrationWaitlisted(registration=waiting, waitlist_position=1), RegistrationConfirmed(registration=withdrawn),
        RegistrationCancelled(registration=withdrawn, cancelled_by=CancelledBy.registrant, previous_status="confirmed"))
    await mailbox.wait_for(5, predicate=lambda m: m.rcpt_tos[0].startswith("person"))
    # A second replica on the same database: the two run the schedule at once.
    replica = await start_notification(database_name=notification.settings.database_name)

    clock.set(clock.now().replace(day=8, hour=8, minute=59))
    await nothing_more_arrives(mailbox, 0)
    clock.set(clock.now().replace(day=8, hour=9, minute=0))  # two days before the start, 09:00 in Berlin

    await mailbox.wait_for(2, predicate=lambda m: m in reminders(mailbox))
    [confirmation] = await mailbox.wait_for(1, predicate=lambda m: to(jana.participant.email)(m)
                                            and m.subject.startswith("Anmeldung"))
    [reminder] = reminders(mailbox, jana.participant.email)
    assert reminder.subject == f"Erinnerung: {TITLE} am Mittwoch, 10. März 2027"
    assert "Mittwoch, 10. März 2027, 14:00–17:30 Uhr" in reminder.text
    assert "Rathaus, Bürgersaal, Marktplatz 1, 12345 Beispielstadt" in reminder.text
    assert "Klimaschutz in der Bauleitplanung" in reminder.text
    assert ("Sie können nicht kommen? Geben Sie Ihren Platz für die Warteliste frei:\n"
            f"{jana.cancel_url}") in reminder.text
    assert f'href="{jana.cancel_url}"' in reminder.html
    filename, calendar = calendar_of(reminder)
    assert filename == "termin.ics" and calendar["METHOD"] == "REQUEST"
    (before,), (entry,) = calendar_of(confirmation)[1].events, calendar.events
    assert entry["UID"] == before["UID"] and entry["SEQUENCE"] > before["SEQUENCE"]  # the entry they have
    assert (entry.start, entry.end) == (EVENT.starts_at, EVENT.ends_at)
    assert "Rathaus, Bürgersaal" in str(entry["LOCATION"])

    [english] = reminders(mailbox, alex.participant.email)
    assert english.subject == f"Reminder: {TITLE} on Wednesday, 10 March 2027"
    assert f"Can't come? Free your seat for the waiting list:\n{alex.cancel_url}" in english.text
    assert calendar_of(english)[0] == "event.ics"
    assert reminders(mailbox, waiting.participant.email) == reminders(mailbox, withdrawn.participant.email) == []

    # Neither the other replica, nor the next rounds, nor a restart a little later send anything again.
    await replica.stop()
    await notification.stop()
    restarted = await start_notification(database_name=notification.settings.database_name)
    clock.advance(hours=1)
    await nothing_more_arrives(mailbox, 2)
    stored = await restarted.fetch("SELECT recipient, status, message_id FROM email WHERE kind = 'reminder' ORDER BY id")
    assert sorted((r["recipient"], r["status"]) for r in stored) == sorted(
        [(jana.participant.email, "sent"), (alex.participant.email, "sent")])
    assert reminder.message_id in {r["message_id"] for r in stored}

    log = await restarted.client.get("/api/deliveries", params={"recipient": jana.participant.email},
                                     headers=staff_headers(await restarted.create_token(can_write=False)))
    assert [(d["kind"], d["status"]) for d in log.json()] == [("confirmed", "sent"), ("reminder", "sent")]
    assert log.json()[1]["subject"] == reminder.subject


async def test_who_was_confirmed_only_after_the_time_gets_none_having_just_had_the_confirmation(
        notification, mailbox, kafka_bootstrap, clock):
    await publish_event(notification, kafka_bootstrap)
    early, late = registration(1), registration(2)
    due = clock.now().replace(day=8, hour=9)
    confirmed_late = envelope(RegistrationConfirmed(registration=late), producer="registration")
    await publish(kafka_bootstrap, REGISTRATION_TOPIC,
                  envelope(RegistrationConfirmed(registration=early), producer="registration"),
                  confirmed_late.model_copy(update={"occurred_at": due + timedelta(minutes=30)}))
    await mailbox.wait_for(2, predicate=lambda m: m.rcpt_tos[0].startswith("person"))

    clock.set(due + timedelta(hours=1))
    [reminder] = await mailbox.wait_for(1, predicate=lambda m: m in reminders(mailbox))
    assert reminder.rcpt_tos == (early.participant.email,)
    await nothing_more_arrives(mailbox, 1)


async def test_a_switched_off_schedule_sends_none(notification, mailbox, kafka_bootstrap, clock):
    await publish_event(notification, kafka_bootstrap)
    jana = registration(1)
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=jana))
    await mailbox.wait_for(1, predicate=to(jana.participant.email))
    await publish_event(notification, kafka_bootstrap,
                        EVENT.model_copy(update={"reminder": ReminderSchedule(enabled=False)}), minutes=1)

    for day, hour in ((8, 9), (9, 9), (10, 13)):
        clock.set(clock.now().replace(day=day, hour=hour))
        await nothing_more_arrives(mailbox, 0)


async def test_a_changed_schedule_is_followed_and_the_old_one_not(start_notification, mailbox, kafka_bootstrap, clock):
    notification = await start_notification()
    await publish_event(notification, kafka_bootstrap)
    jana = registration(1)
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=jana))
    await mailbox.wait_for(1, predicate=to(jana.participant.email))
    later = ReminderSchedule(days_before=1, local_time="18:00")
    await publish_event(notification, kafka_bootstrap, EVENT.model_copy(update={"reminder": later}), minutes=1)

    clock.set(clock.now().replace(day=8, hour=9))  # the default's time
    await nothing_more_arrives(mailbox, 0)
    clock.set(clock.now().replace(day=9, hour=17, minute=59))
    await nothing_more_arrives(mailbox, 0)
    clock.set(clock.now().replace(day=9, hour=18, minute=0))

    [reminder] = await mailbox.wait_for(1, predicate=lambda m: m in reminders(mailbox))
    assert reminder.rcpt_tos == (jana.participant.email,)
    [queued_at] = await notification.fetch("SELECT details->>'reminder_at' AS at FROM email WHERE kind = 'reminder'")
    assert queued_at["at"] == "2027-03-09T17:00:00+00:00"  # 18:00 in Berlin


async def test_a_cancelled_event_sends_no_reminder(notification, mailbox, kafka_bootstrap, clock):
    await publish_event(notification, kafka_bootstrap)
    jana = registration(1)
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=jana))
    await mailbox.wait_for(1, predicate=to(jana.participant.email))
    await publish_event(notification, kafka_bootstrap, EVENT.model_copy(update={"status": EventStatus.cancelled}),
                        minutes=1)
    await mailbox.wait_for(2, predicate=to(jana.participant.email))  # told of the cancellation

    clock.set(clock.now().replace(day=8, hour=9))
    await nothing_more_arrives(mailbox, 0)


async def test_a_reminder_held_up_until_the_registrant_cancelled_is_not_sent(start_notification, mailbox,
                                                                             kafka_bootstrap, clock):
    notification = await start_notification()
    await publish_event(notification, kafka_bootstrap)
    jana = registration(1)
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=jana))
    await mailbox.wait_for(1, predicate=to(jana.participant.email))

    await mailbox.go_down()
    clock.set(clock.now().replace(day=8, hour=9))

    async def queued() -> bool:
        return bool(await notification.fetch("SELECT 1 FROM email WHERE kind = 'reminder' AND attempts > 0"))

    await wait_until(queued, what="the reminder tried while the SMTP server is away")
    await publish_registration_events(kafka_bootstrap, RegistrationCancelled(
        registration=jana, cancelled_by=CancelledBy.registrant, previous_status="confirmed"))

    async def cancelled() -> bool:
        return bool(await notification.fetch("SELECT 1 FROM registration WHERE id = $1 AND status = 'cancelled'",
                                             jana.registration_id))

    await wait_until(cancelled, what="the cancellation heard of")
    await mailbox.come_up()

    [_, cancellation] = await mailbox.wait_for(2, timeout=15, predicate=to(jana.participant.email))
    assert cancellation.subject == f"Anmeldung storniert: {TITLE}"
    await nothing_more_arrives(mailbox, 0)
    [reminder] = await notification.fetch("SELECT status, last_error FROM email WHERE kind = 'reminder'")
    assert reminder["status"] == "failed"
    assert reminder["last_error"] == "ReminderWithdrawn: not sent: the registration is cancelled now"
