"""Registrations and their statuses: the rules, without I/O."""

from enum import StrEnum


class Status(StrEnum):
    pending = "pending"        # accepted, waiting for the catalog's seat decision
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    rejected = "rejected"
    cancelled = "cancelled"


ACTIVE = frozenset({Status.pending, Status.confirmed, Status.waitlisted})
FINAL = frozenset({Status.confirmed, Status.waitlisted, Status.rejected, Status.cancelled})


def can_cancel(status: Status) -> bool:
    return status in ACTIVE


def accepts_seat_decision(status: Status) -> bool:
    """A decision applies to a pending registration; a cancelled one stays cancelled (the catalog
    releases whatever it allocated when it handles the cancellation, which follows the request)."""
    return status is Status.pending


def accepts_promotion(status: Status) -> bool:
    return status is Status.waitlisted


def normalise_email(email: str) -> str:
    """Duplicates are found case-insensitively: the domain part is case-insensitive, and people
    do not expect `Jana.Muster@…` and `jana.muster@…` to be two registrations."""
    return email.strip().lower()
