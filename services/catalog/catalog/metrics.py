"""The catalog's own Prometheus metrics (the shared ones are in `treffpunkt_shared.metrics`)."""

from collections.abc import Iterable

from prometheus_client import Counter

from treffpunkt_shared.contracts.envelope import EventPayload
from treffpunkt_shared.contracts.seats import SeatAllocated, SeatRejected, SeatReleased, SeatWaitlisted

SEATS_ALLOCATED = Counter("catalog_seats_allocated_total", "Seats given to registrations",
                          ["via"])  # request, or waiting_list (moved up)
SEATS_WAITLISTED = Counter("catalog_seats_waitlisted_total", "Registrations given a place on a waiting list")
SEAT_REQUESTS_REJECTED = Counter("catalog_seat_requests_rejected_total",
                                 "Registrations that got neither a seat nor a waiting-list place", ["reason"])
SEATS_RELEASED = Counter("catalog_seats_released_total", "Cancelled registrations, by what they gave back",
                         ["released"])  # seat, waitlist, nothing


def count_decisions(decisions: Iterable[EventPayload]) -> None:
    """Count committed seat decisions (call it once their transaction has committed)."""
    for decision in decisions:
        match decision:
            case SeatAllocated(from_waitlist=from_waitlist):
                SEATS_ALLOCATED.labels("waiting_list" if from_waitlist else "request").inc()
            case SeatWaitlisted():
                SEATS_WAITLISTED.inc()
            case SeatRejected(reason=reason):
                SEAT_REQUESTS_REJECTED.labels(reason.value).inc()
            case SeatReleased(released=released):
                SEATS_RELEASED.labels(released).inc()
