"""An event's life: draft → published ⇄ closed, and from any of those to cancelled, which is final."""

from datetime import datetime
from enum import StrEnum

from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.errors import Conflict


class StatusChange(StrEnum):
    publish = "publish"
    close = "close"
    cancel = "cancel"


_TARGET = {
    StatusChange.publish: EventStatus.published,
    StatusChange.close: EventStatus.closed,
    StatusChange.cancel: EventStatus.cancelled,
}

_ALLOWED: dict[EventStatus, frozenset[StatusChange]] = {
    EventStatus.draft: frozenset({StatusChange.publish, StatusChange.cancel}),
    # Closing stops registrations; publishing again reopens them.
    EventStatus.published: frozenset({StatusChange.close, StatusChange.cancel}),
    EventStatus.closed: frozenset({StatusChange.publish, StatusChange.cancel}),
    EventStatus.cancelled: frozenset(),
}


def allowed_changes(current: EventStatus) -> list[StatusChange]:
    return [change for change in StatusChange if change in _ALLOWED[current]]


def next_status(current: EventStatus, change: StatusChange) -> EventStatus:
    """The status after `change`, or Conflict if the event cannot make that step."""
    target = _TARGET[change]
    if change in _ALLOWED[current]:
        return target
    if current is target:
        raise Conflict(f"The event is already {target}.")
    if current is EventStatus.cancelled:
        raise Conflict("The event is cancelled; that is final.")
    allowed = ", ".join(allowed_changes(current))
    raise Conflict(f"A {current} event cannot be {target}; allowed: {allowed}.")


def registration_open(status: EventStatus, registration_deadline: datetime, at: datetime) -> bool:
    """Whether the event takes registrations at `at`: published (not closed) and before the deadline."""
    return status is EventStatus.published and at <= registration_deadline
