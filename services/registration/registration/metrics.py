"""The registration service's own metrics (the shared ones are in `treffpunkt_shared.metrics`)."""

from prometheus_client import Counter

REGISTRATIONS_RATE_LIMITED = Counter(
    "registration_rate_limited_total", "Registrations refused with 429 by a rate limit", ["limit"]
)
SEAT_REQUESTS_REPEATED = Counter(
    "registration_seat_requests_repeated_total",
    "Seat requests published again for registrations still pending after registration_pending_repeat_seconds",
)
