"""OpenTelemetry tracing across HTTP and Kafka.

A registration's trace runs: the HTTP request → the outbox row's `headers` (W3C `traceparent`) →
the Kafka record (the relay sends the row's headers) → the consuming service's span for that
message → the messages that handling writes to its outbox → ... → the notification's SMTP send.

Tracing is off unless an OTLP endpoint is configured: then there is no tracer, no span is
started, and the trace headers of new outbox rows are empty (`inject` finds no span to write).
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from aiokafka import ConsumerRecord
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer, TracerProvider

from .contracts.envelope import Envelope
from .settings import ServiceSettings

TRACER_NAME = "treffpunkt"
CORRELATION_ATTRIBUTE = "treffpunkt.correlation_id"

# While a consumer handles a batch: the context of each message's span, by the message's
# correlation id, so that what the handlers write about a registration continues its trace.
_message_contexts: ContextVar[dict[str, Context] | None] = ContextVar("message_contexts", default=None)


def create_tracer_provider(settings: ServiceSettings) -> TracerProvider | None:
    """An SDK provider exporting over OTLP/HTTP in batches, or None when tracing is off."""
    if not settings.otel_exporter_otlp_endpoint:
        return None
    # The SDK and exporter load only where tracing is on.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = SdkTracerProvider(resource=Resource.create({SERVICE_NAME: settings.service_name}))
    # Given in code, the endpoint is the full URL of the traces signal (the variable holds the base).
    endpoint = f"{settings.otel_exporter_otlp_endpoint.rstrip('/')}/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def trace_headers(correlation_id: str | None = None) -> dict[str, str]:
    """The trace context for a message about `correlation_id`: that of the consumed message about the
    same registration while a consumer handles it, else the current span's (an HTTP request's)."""
    contexts = _message_contexts.get()
    context = contexts.get(correlation_id) if contexts and correlation_id else None
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=context)
    return carrier


def record_headers(record: ConsumerRecord) -> dict[str, str]:
    return {key: value.decode(errors="replace") for key, value in record.headers or ()}


@contextmanager
def consuming(tracer: Tracer | None, group: str, messages: Sequence[tuple[ConsumerRecord, Envelope]]) -> Iterator[None]:
    """A consumer span for each message, the child of the span that produced it, open while the batch
    is handled; what the handlers enqueue about a message's registration carries its span's context."""
    if tracer is None or not messages:
        yield
        return
    spans: list[Span] = []
    contexts: dict[str, Context] = {}
    for record, envelope in messages:
        span = tracer.start_span(
            f"process {record.topic}", context=propagate.extract(record_headers(record)), kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": record.topic,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
                "messaging.consumer.group.name": group,
                "messaging.message.id": str(envelope.event_id),
                "treffpunkt.event_type": envelope.event_type,
                CORRELATION_ATTRIBUTE: envelope.correlation_id or "",
            },
        )
        spans.append(span)
        if envelope.correlation_id:
            contexts[envelope.correlation_id] = trace.set_span_in_context(span)
    token = _message_contexts.set(contexts)
    try:
        yield
    except BaseException as exc:
        # The type only, as in the logs: an error's text can quote the message's personal data.
        for span in spans:
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        _message_contexts.reset(token)
        for span in spans:
            span.end()


@contextmanager
def traced(tracer: Tracer | None, name: str, *, parent: Mapping[str, str], kind: SpanKind = SpanKind.INTERNAL,
         attributes: Mapping[str, str | int] | None = None) -> Iterator[None]:
    """A current span continuing the trace in `parent` (stored trace headers), or nothing when tracing is off."""
    if tracer is None:
        yield
        return
    with tracer.start_as_current_span(name, context=propagate.extract(parent), kind=kind, attributes=attributes,
                                      record_exception=False, set_status_on_exception=False) as current:
        try:
            yield
        except BaseException as exc:
            current.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def tag_correlation(value: str) -> None:
    """Name the registration on the current span (traces are searched by it)."""
    current = trace.get_current_span()
    if current.is_recording():
        current.set_attribute(CORRELATION_ATTRIBUTE, value)
