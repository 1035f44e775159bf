"""Prometheus metrics shared by the services (one registry per process)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
MESSAGES_CONSUMED = Counter(
    "messages_consumed_total", "Kafka messages consumed", ["topic", "outcome"]
)
MESSAGES_PUBLISHED = Counter("messages_published_total", "Kafka messages published from the outbox", ["topic"])
OUTBOX_BACKLOG = Gauge("outbox_backlog_messages", "Outbox rows not yet published")
OUTBOX_OLDEST_AGE = Gauge("outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox row")
