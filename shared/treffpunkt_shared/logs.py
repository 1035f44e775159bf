"""JSON logs to stdout, each line with the correlation id of the work it is about.

Personal data never goes into a log line: log ids, never names or email addresses.
"""

import logging
import sys
from contextvars import ContextVar

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

from .tracing import tag_correlation

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def set_correlation_id(value: str) -> None:
    """The rest of the current request or message is about `value` (a registration's id): its log
    lines carry it, and so does its trace span."""
    correlation_id.set(value)
    tag_correlation(value)


class _CorrelationFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self._service
        record.correlation_id = correlation_id.get()
        # With tracing on, a line written inside a span names its trace, to go from the log to the trace.
        span_context = trace.get_current_span().get_span_context()
        record.trace_id = format(span_context.trace_id, "032x") if span_context.is_valid else None
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_CorrelationFilter(service))
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s %(trace_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Access logs would carry query strings with signed tokens; the metrics count requests.
    logging.getLogger("uvicorn.access").disabled = True
    # The Kafka client writes every message it sends, personal data and all, at DEBUG (and every fetch):
    # it says no more than INFO, whatever the level.
    kafka_client = logging.getLogger("aiokafka")
    kafka_client.setLevel(max(root.level, logging.INFO))
