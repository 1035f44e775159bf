"""A message that cannot be handled goes to the dead-letter topic; the messages after it are handled."""

from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC, RegistrationConfirmed

from .scenario import TITLE, publish, publish_event, registration, to


async def test_malformed_messages_go_to_the_dead_letter_topic_and_later_ones_are_still_handled(
        notification, mailbox, kafka_bootstrap, read_topic):
    await publish_event(notification, kafka_bootstrap)
    confirmed = registration(1)
    key = str(confirmed.registration_id).encode()  # one partition: the bad ones come first
    not_json = b"{this is not an envelope"
    no_registration = Envelope(event_type="RegistrationConfirmed", producer="registration",
                               payload={"registration": {"registration_id": "not-a-uuid"}})
    await publish(kafka_bootstrap, REGISTRATION_TOPIC, (key, not_json),
                  (key, no_registration.model_dump_json().encode()),
                  Envelope.wrap(RegistrationConfirmed(registration=confirmed), producer="registration",
                                correlation_id=str(confirmed.registration_id)))

    (message,) = await mailbox.wait_for(1, predicate=to(confirmed.participant.email))
    assert message.subject == f"Anmeldung bestätigt: {TITLE}"

    dead = await read_topic(f"{REGISTRATION_TOPIC}.dlq", count=2, raw=True)
    assert [record.value for record in dead] == [not_json, no_registration.model_dump_json().encode()]
    errors = [dict(record.headers)["dlq-error"].decode() for record in dead]
    assert errors[0].startswith("not a valid envelope")
    assert "ValidationError" in errors[1] and "registration_id" in errors[1]
    assert all(dict(record.headers)["dlq-consumer"] == b"notification" for record in dead)
