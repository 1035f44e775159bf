"""What a registrant and staff see of a registration, and the contract the other services get."""

from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field

from treffpunkt_shared.contracts.registration import Participant, Registration

from ..adapters import repository
from ..domain.model import Status
from ..links import Links


class RegistrationLinks(BaseModel):
    status: str = Field(description="GET: the current status (signed link, keep it private).")
    cancel: str = Field(description="POST: cancel the registration (signed link).")


class RegistrationView(BaseModel):
    id: UUID = Field(description="The registration's id.")
    event_id: UUID
    session_id: UUID
    status: Status = Field(description="pending (seat not decided yet), confirmed, waitlisted, rejected or cancelled.")
    waitlist_position: int | None = Field(None, description="Position on the waiting list while waitlisted (1 = next).")
    rejection_reason: str | None = Field(None, description="Why it was not possible: full, closed, deadline_passed.")
    links: RegistrationLinks


async def position_of(conn: asyncpg.Connection | asyncpg.Pool, row: asyncpg.Record) -> int | None:
    if row["status"] != Status.waitlisted:
        return None
    return await repository.waitlist_position(conn, row["session_id"], row["waitlist_sequence"])


async def view(conn: asyncpg.Connection | asyncpg.Pool, row: asyncpg.Record, links: Links) -> RegistrationView:
    return RegistrationView(
        id=row["id"], event_id=row["event_id"], session_id=row["session_id"], status=Status(row["status"]),
        waitlist_position=await position_of(conn, row), rejection_reason=row["rejection_reason"],
        links=RegistrationLinks(status=links.status_api(row["id"]), cancel=links.cancel_api(row["id"])),
    )


def contract(row: asyncpg.Record, links: Links) -> Registration:
    """The registration as the notification service gets it (it writes the emails)."""
    return Registration(
        registration_id=row["id"], event_id=row["event_id"], session_id=row["session_id"],
        participant=Participant(first_name=row["first_name"], last_name=row["last_name"], email=row["email"],
                                organisation=row["organisation"], phone=row["phone"], language=row["language"]),
        remarks=row["remarks"], registered_at=row["created_at"],
        status_url=links.status_page(row["id"]), cancel_url=links.cancel_page(row["id"]),
    )
