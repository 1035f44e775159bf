"""An event with two sessions and their contact persons, registrants, and publishing their events onto
Kafka as the catalog and the registration service do. Invented people under example.de only."""

from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from typing import Any
from uuid import UUID, uuid4

import icalendar
from aiokafka import AIOKafkaProducer

from treffpunkt_devstack.mailbox import ReceivedMessage
from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC, ContactPerson, Event, EventSaved, EventStatus, Session
from treffpunkt_shared.contracts.envelope import Envelope, EventPayload
from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC, Language, Participant, Registration
from treffpunkt_shared.local_time import BERLIN

from ..services import RunningService
from ..waiting import wait_until

TITLE = "Wirtschaft trifft Verwaltung 2027"
EVENT_ID = UUID("3a4b5c6d-7e8f-4a1b-9c2d-000000000001")

CHAMBER_CONTACT = ContactPerson(
    id=UUID("7c2d9e4f-3a1b-4c5d-8e6f-000000000001"), organisation_id=UUID("5b0e8a3c-1f6d-4e49-9f7a-000000000001"),
    organisation_name="Handwerkskammer Beispielstadt", name="Petra Probe", role="Referentin Stadtentwicklung",
    email="petra.probe@hwk.example.de", phone="+49 30 0000-201",
)
CITY_CONTACT = ContactPerson(
    id=UUID("7c2d9e4f-3a1b-4c5d-8e6f-000000000002"), organisation_id=UUID("5b0e8a3c-1f6d-4e49-9f7a-000000000002"),
    organisation_name="Stadt Beispielstadt, Amt für Wirtschaftsförderung", name="Tom Test", role=None,
    email="tom.test@stadt.example.de", phone=None,
)
LOGISTICS_CONTACT = ContactPerson(
    id=UUID("7c2d9e4f-3a1b-4c5d-8e6f-000000000003"), organisation_id=UUID("5b0e8a3c-1f6d-4e49-9f7a-000000000002"),
    organisation_name="Stadt Beispielstadt, Amt für Wirtschaftsförderung", name="Lars Lieferung", role=None,
    email="lars.lieferung@stadt.example.de", phone="+49 30 0000-301",
)

PLANNING = Session(
    id=UUID("1f2e3d4c-5b6a-4978-8a9b-000000000001"), event_id=EVENT_ID, position=1,
    title="Klimaschutz in der Bauleitplanung", capacity=25, waitlist_size=10,
    contact_persons=[CHAMBER_CONTACT, CITY_CONTACT],
)
LOGISTICS = Session(
    id=UUID("1f2e3d4c-5b6a-4978-8a9b-000000000002"), event_id=EVENT_ID, position=2,
    title="Wirtschaftsverkehr und City-Logistik", capacity=20, waitlist_size=0, contact_persons=[LOGISTICS_CONTACT],
)

EVENT = Event(
    id=EVENT_ID, title=TITLE, description="Dialog zwischen Stadtverwaltung und regionaler Wirtschaft.",
    status=EventStatus.published, venue_name="Rathaus, Bürgersaal", venue_address="Marktplatz 1, 12345 Beispielstadt",
    starts_at=datetime(2027, 3, 10, 14, 0, tzinfo=BERLIN), ends_at=datetime(2027, 3, 10, 17, 30, tzinfo=BERLIN),
    registration_deadline=datetime(2027, 3, 3, 23, 59, tzinfo=BERLIN),
    what_to_bring="Ihre Fragen zu Bebauungsplänen", sessions=[PLANNING, LOGISTICS],
)


def registration(number: int, *, language: Language = Language.de, session: Session = PLANNING,
                 email: str | None = None) -> Registration:
    registration_id = uuid4()
    participant = Participant(
        first_name="Anna" if language is Language.de else "Alex", last_name=f"Beispiel-{number}",
        email=email or f"person{number}@firma{number}.example.de", organisation=f"Firma {number} GmbH",
        language=language,
    )
    return Registration(
        registration_id=registration_id, event_id=EVENT_ID, session_id=session.id, participant=participant,
        registered_at=datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
        status_url=f"http://localhost:8000/r/{registration_id}?token=s{number}",
        cancel_url=f"http://localhost:8000/r/{registration_id}/cancel?token=c{number}",
    )


def envelope(payload: EventPayload, *, producer: str, minutes: int = 0) -> Envelope:
    wrapped = Envelope.wrap(payload, producer=producer, correlation_id=payload.message_key())
    return wrapped.model_copy(update={"occurred_at": wrapped.occurred_at + timedelta(minutes=minutes)})


async def publish(kafka_bootstrap: list[str], topic: str, *messages: Envelope | tuple[bytes, bytes]) -> None:
    """Put envelopes (keyed as their producer keys them) or raw (key, value) pairs onto `topic`."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for message in messages:
            if isinstance(message, Envelope):
                key = (message.correlation_id or str(message.event_id)).encode()
                await producer.send_and_wait(topic, message.model_dump_json().encode(), key=key)
            else:
                await producer.send_and_wait(topic, message[1], key=message[0])
    finally:
        await producer.stop()


async def publish_registration_events(kafka_bootstrap: list[str], *payloads: EventPayload) -> list[Envelope]:
    envelopes = [envelope(p, producer="registration") for p in payloads]
    await publish(kafka_bootstrap, REGISTRATION_TOPIC, *envelopes)
    return envelopes


async def publish_event(notification: RunningService, kafka_bootstrap: list[str], event: Event = EVENT,
                        *, minutes: int = 0) -> None:
    """Publish the event as the catalog does and wait until the service's copy has this snapshot."""
    saved = envelope(EventSaved(event=event), producer="catalog", minutes=minutes)
    await publish(kafka_bootstrap, CATALOG_TOPIC, saved)

    async def copied() -> bool:
        rows = await notification.fetch("SELECT 1 FROM catalog_event WHERE id = $1 AND saved_at = $2",
                                        event.id, saved.occurred_at)
        return bool(rows)

    await wait_until(copied, what="the event in the notification service's copy of the catalog")


def to(address: str):
    """A mailbox predicate: messages to `address`."""
    return lambda message: message.rcpt_tos == (address,)


def header_address(message: ReceivedMessage, header: str) -> Address:
    (address,) = message.message[header].addresses
    return address


def calendar_of(message: ReceivedMessage) -> tuple[str, icalendar.Calendar]:
    """The message's only attachment, which must be a calendar file: its filename and the parsed calendar."""
    (attachment,) = message.attachments
    filename, content_type, payload = attachment
    assert content_type == "text/calendar"
    return filename, icalendar.Calendar.from_ical(payload)


def staff_headers(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
