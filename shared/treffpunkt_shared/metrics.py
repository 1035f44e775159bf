"""Prometheus metrics shared by the services (one registry per process). A service's own metrics are in
its `metrics` module; `docs/observability.md` lists them all."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# outcome: handled, duplicate (already in the inbox: dropped), dead_lettered, failed (the database was
# away; the batch is tried again, so these messages count again with their final outcome).
MESSAGES_CONSUMED = Counter(
    "messages_consumed_total", "Kafka messages consumed", ["topic", "outcome"]
)
MESSAGE_HANDLER_LATENCY = Histogram(
    "message_handler_duration_seconds",
    "Time a topic's handler took for the new messages of one batch, inside the batch's transaction", ["topic"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
MESSAGES_PUBLISHED = Counter("messages_published_total", "Kafka messages published from the outbox", ["topic"])
OUTBOX_PUBLISH_FAILURES = Counter(
    "outbox_publish_failures_total", "Rounds of the outbox relay that failed (broker or database away); the rows wait"
)
# Measured when /metrics is scraped (one indexed query), not on the hot path.
OUTBOX_BACKLOG = Gauge("outbox_backlog_messages", "Outbox rows not yet published")
OUTBOX_OLDEST_AGE = Gauge("outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox row")
