"""What "Meine Daten / My data" shows and downloads (DSGVO Art. 15 and 20): everything this service holds
about a registration, the emails the notification service sent about it (as its delivery events told
this service, see `emails_sent`), and when it will all be erased."""

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field

from treffpunkt_shared.contracts.catalog import Event

from ..adapters import repository
from ..domain.model import Registration
from . import emails_sent
from .views import ConsentView, consent_of


class StatusChange(BaseModel):
    status: str
    at: datetime


class EmailToYou(BaseModel):
    kind: str = Field(description="What it was about: confirmed, waitlisted, promoted, rejected, cancelled, links, ...")
    subject: str | None
    status: str = Field(description="sent, or failed (could not be delivered).")
    at: datetime


class Details(BaseModel):
    first_name: str | None
    last_name: str | None
    email: str | None
    organisation: str | None
    phone: str | None
    remarks: str | None
    language: str


class MyData(BaseModel):
    """The download: the same as the page shows."""

    registration_id: UUID
    event_id: UUID
    event_title: str | None
    session_id: UUID
    session_title: str | None
    status: str
    registered_at: datetime
    erased_at: datetime | None
    details: Details
    consent: ConsentView
    status_history: list[StatusChange]
    emails: list[EmailToYou]
    erased_on: datetime | None = Field(description="When the details are erased at the latest (the event's end plus "
                                       "its retention period).")


async def my_data(conn: asyncpg.Connection | asyncpg.Pool, registration: Registration, event: Event | None) -> MyData:
    session = next((s for s in event.sessions if s.id == registration.session_id), None) if event else None
    return MyData(
        registration_id=registration.id, event_id=registration.event_id, event_title=event.title if event else None,
        session_id=registration.session_id, session_title=session.title if session else None,
        status=registration.status.value, registered_at=registration.created_at, erased_at=registration.erased_at,
        details=Details(first_name=registration.first_name, last_name=registration.last_name, email=registration.email,
                        organisation=registration.organisation, phone=registration.phone,
                        remarks=registration.remarks, language=registration.language),
        consent=consent_of(registration),
        status_history=[StatusChange(status=status, at=at)
                        for status, at in await repository.status_history(conn, registration.id)],
        emails=[EmailToYou(kind=row["kind"], subject=row["subject"], status=row["status"], at=row["settled_at"])
                for row in await emails_sent.of_registration(conn, registration.id)],
        erased_on=erased_on(event),
    )


def erased_on(event: Event | None) -> datetime | None:
    return event.ends_at + timedelta(days=event.retention_days) if event is not None else None
