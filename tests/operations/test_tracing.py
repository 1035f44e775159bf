"""One trace from the HTTP request through Kafka to the email: the registration's request span, the
outbox rows and Kafka records in between (W3C `traceparent`), each service's span for the message it
handles, and the notification's SMTP send, each the child of the one before. No personal data in any
span. With tracing off, nothing is written."""

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC
from treffpunkt_shared.contracts.seats import SEAT_TOPIC
from treffpunkt_shared.tracing import CORRELATION_ATTRIBUTE

from ..saga.scenario import Saga
from ..waiting import wait_until

PERSON = {"first_name": "Wiebke", "last_name": "Quandtmeyer", "email": "wiebke.quandtmeyer@beispiel-gmbh.example"}


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    yield InMemorySpanExporter()


@pytest.fixture
def tracer_provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


def trace_id_of(headers: dict[str, str] | list[tuple[str, bytes]]) -> int:
    """The trace id in a `traceparent` header (version-traceid-spanid-flags)."""
    values = dict(headers)
    traceparent = values["traceparent"]
    return int((traceparent.decode() if isinstance(traceparent, bytes) else traceparent).split("-")[1], 16)


def processing(spans: list[ReadableSpan], group: str, event_type: str) -> ReadableSpan:
    [span] = [s for s in spans if s.kind is SpanKind.CONSUMER and s.attributes["messaging.consumer.group.name"] == group
              and s.attributes["treffpunkt.event_type"] == event_type]
    return span


async def test_one_trace_from_the_request_through_kafka_to_the_email(start_service, mailbox, read_topic,
                                                                     tracer_provider, exporter):
    traced = {"app_options": {"tracer_provider": tracer_provider}}
    catalog = await start_service("catalog", **traced)
    registration = await start_service("registration", **traced)
    notification = await start_service("notification", smtp_host=mailbox.host, smtp_port=mailbox.smtp_port,
                                       sender_poll_seconds=0.1, **traced)
    saga = Saga(catalog, registration, {"Authorization": f"Bearer {await catalog.create_token()}"}, {})
    event = await saga.create_event([(5, 0)])

    async def notification_knows_the_event() -> bool:
        return bool(await notification.fetch("SELECT 1 FROM catalog_event WHERE id = $1::uuid", event["id"]))

    await wait_until(notification_knows_the_event, what="the notification service's copy of the event")
    response = await saga.register(event, event["sessions"][0], wait=5, **PERSON)
    assert response.json()["status"] == "confirmed"
    registration_id = response.json()["id"]
    await mailbox.wait_for(1, timeout=20, predicate=lambda m: PERSON["email"] in m.rcpt_tos)

    def ours() -> list[ReadableSpan]:
        return [s for s in exporter.get_finished_spans() if s.attributes.get(CORRELATION_ATTRIBUTE) == registration_id]

    async def email_sent() -> bool:
        return any(s.name == "send email" for s in ours())

    await wait_until(email_sent, what="the span of the email's sending")
    about_it = ours()
    [request] = [s for s in about_it if s.kind is SpanKind.SERVER]
    assert request.attributes["http.route"] == "/api/registrations"
    trace_id = request.context.trace_id

    # Each hop's span is the child of the one before, all in the request's trace.
    requested = processing(about_it, "catalog", "RegistrationRequested")
    decided = processing(about_it, "registration", "SeatAllocated")
    confirmed = processing(about_it, "notification", "RegistrationConfirmed")
    [sending] = [s for s in about_it if s.name == "send email"]
    chain = [request, requested, decided, confirmed, sending]
    assert [s.context.trace_id for s in chain] == [trace_id] * 5
    assert [s.parent.span_id for s in chain[1:]] == [s.context.span_id for s in chain[:-1]]
    assert sending.kind is SpanKind.CLIENT and sending.attributes["treffpunkt.email.kind"] == "confirmed"

    # ... carried by the outbox rows and the Kafka records in between.
    for service in (registration, catalog, notification):
        rows = await service.fetch("SELECT headers FROM outbox_message WHERE body->>'correlation_id' = $1",
                                   registration_id)
        assert rows and all(trace_id_of(row["headers"]) == trace_id for row in rows), service.name
    records = (await read_topic(REGISTRATION_TOPIC, count=2, raw=True, key=registration_id)
               + await read_topic(SEAT_TOPIC, count=1, raw=True, key=registration_id))
    assert [trace_id_of(record.headers) for record in records] == [trace_id] * 3

    # Spans are exported to another system: like the logs, they hold ids, never names or addresses.
    for span in exporter.get_finished_spans():
        text = f"{span.name} {dict(span.attributes)} {[dict(e.attributes) for e in span.events]}"
        assert not any(value in text for value in PERSON.values()), span.name


async def test_with_tracing_off_no_trace_context_is_written(saga):
    event = await saga.create_event([(5, 0)])
    response = await saga.register(event, event["sessions"][0], wait=5)
    rows = await saga.registration.fetch("SELECT headers FROM outbox_message WHERE body->>'correlation_id' = $1",
                                         response.json()["id"])
    assert [row["headers"] for row in rows] == [{}, {}]
