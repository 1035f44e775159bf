"""Which changes of an event its registrants must hear about: a cancellation, a new time or venue."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from treffpunkt_shared.contracts.catalog import Event, EventStatus


@dataclass(frozen=True)
class EventChange:
    """That the event was cancelled or moved, and where and when it was to be before."""

    cancelled: bool
    previous_starts_at: datetime
    previous_ends_at: datetime
    previous_venue_name: str
    previous_venue_address: str

    def details(self) -> dict[str, Any]:
        """What the email needs to say what was before (the new state comes from the event itself)."""
        return {"previous": {
            "starts_at": self.previous_starts_at.isoformat(), "ends_at": self.previous_ends_at.isoformat(),
            "venue_name": self.previous_venue_name, "venue_address": self.previous_venue_address,
        }}


def what_changed(previous: Event, current: Event) -> EventChange | None:
    if previous.status is EventStatus.cancelled:
        return None  # its registrants were told already; nothing more to say about a cancelled event
    cancelled = current.status is EventStatus.cancelled
    moved = (previous.starts_at, previous.ends_at, previous.venue_name, previous.venue_address) != (
        current.starts_at, current.ends_at, current.venue_name, current.venue_address)
    if not (cancelled or moved):
        return None
    return EventChange(
        cancelled=cancelled,
        previous_starts_at=previous.starts_at,
        previous_ends_at=previous.ends_at,
        previous_venue_name=previous.venue_name,
        previous_venue_address=previous.venue_address,
    )
