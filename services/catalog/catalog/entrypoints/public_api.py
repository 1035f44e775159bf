"""The public API: published events with their sessions and free seats; no token needed.

Drafts and cancelled events are not shown. Closed events are, as no longer open for registration.
"""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter

from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.errors import NotFound

from ..adapters import queries
from ..read_models import PublicEvent
from .dependencies import Connection

_VISIBLE = (EventStatus.published, EventStatus.closed)

router = APIRouter(prefix="/api", tags=["public"])


@router.get("/events", summary="Published events, by start, with their sessions and free seats")
async def list_events(conn: Connection) -> list[PublicEvent]:
    now = datetime.now(UTC)
    return [PublicEvent.of(event, now) for event in await queries.events(conn, statuses=_VISIBLE)]


@router.get("/events/{event_id}", responses={404: {"description": "No published event with that id."}},
            summary="One published event")
async def get_event(event_id: UUID, conn: Connection) -> PublicEvent:
    found = await queries.events(conn, ids=[event_id], statuses=_VISIBLE)
    if not found:
        raise NotFound("event", event_id)
    return PublicEvent.of(found[0], datetime.now(UTC))
