"""The catalog's seat decisions on `catalog.seat.v1`, keyed by registration id.

The catalog's seat ledger decides each requested registration atomically: a seat, a place on the
waiting list, or a rejection; a cancellation releases the seat and may promote the head of the
waiting list. No personal data travels here: only ids.
"""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import ConfigDict, Field

from .envelope import EventPayload, registry

SEAT_TOPIC = "catalog.seat.v1"

_IDS = {
    "registration_id": "0b6b4c52-93cb-4f0e-8d55-3c2b0a6f7d21",
    "event_id": "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c01",
    "session_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a01",
}


class RejectionReason(StrEnum):
    full = "full"
    closed = "closed"
    deadline_passed = "deadline_passed"
    unknown_session = "unknown_session"


class _SeatEvent(EventPayload):
    topic: ClassVar[str] = SEAT_TOPIC

    registration_id: UUID = Field(description="The registration decided about.")
    event_id: UUID = Field(description="The event.")
    session_id: UUID = Field(description="The session whose seats were decided.")

    def message_key(self) -> str:
        return str(self.registration_id)


class SeatAllocated(_SeatEvent):
    event_type: ClassVar[str] = "SeatAllocated"
    model_config = ConfigDict(json_schema_extra={"examples": [_IDS | {"from_waitlist": False}]})

    from_waitlist: bool = Field(False, description="True when the seat went to someone moving up from the waiting list.")


class SeatWaitlisted(_SeatEvent):
    event_type: ClassVar[str] = "SeatWaitlisted"
    model_config = ConfigDict(json_schema_extra={"examples": [_IDS | {"waitlist_sequence": 7}]})

    waitlist_sequence: int = Field(ge=1, description="Order on the session's waiting list (first come, first served); "
                                   "a position is the number of people still waiting with a lower or equal sequence.")


class SeatRejected(_SeatEvent):
    event_type: ClassVar[str] = "SeatRejected"
    model_config = ConfigDict(json_schema_extra={"examples": [_IDS | {"reason": "full"}]})

    reason: RejectionReason = Field(description="Why: full (and no room on the waiting list), closed, deadline passed, unknown session.")


class SeatReleased(_SeatEvent):
    event_type: ClassVar[str] = "SeatReleased"
    model_config = ConfigDict(json_schema_extra={"examples": [_IDS | {"released": "seat"}]})

    released: str = Field(description="What the cancelled registration held: `seat`, `waitlist` or `nothing`.")


class MoveRefusal(StrEnum):
    full = "full"                        # the session asked for has no free seat
    not_held = "not_held"                # the registration holds no seat (any more): nothing to move
    unknown_session = "unknown_session"  # not a session of the registration's event


class SeatMoved(_SeatEvent):
    """A registration's seat is now in `session_id`; its old seat is given back (and went to the head of
    that session's waiting list, announced as `SeatAllocated` with `from_waitlist`)."""

    event_type: ClassVar[str] = "SeatMoved"
    model_config = ConfigDict(json_schema_extra={"examples": [_IDS | {
        "from_session_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a02"}]})

    from_session_id: UUID = Field(description="The session whose seat it gave back.")


class SeatMoveRefused(_SeatEvent):
    """A move is refused; nothing changed (`session_id`: the session asked for)."""

    event_type: ClassVar[str] = "SeatMoveRefused"
    model_config = ConfigDict(json_schema_extra={"examples": [_IDS | {"reason": "full"}]})

    reason: MoveRefusal = Field(description="full, not_held (nothing to move) or unknown_session.")


SEAT_EVENTS = registry(SeatAllocated, SeatWaitlisted, SeatRejected, SeatReleased, SeatMoved, SeatMoveRefused)
