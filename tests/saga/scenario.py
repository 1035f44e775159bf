"""A running catalog and registration service, and the steps the saga tests take through their APIs."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ..services import RunningService
from ..waiting import wait_until

IN_TWO_MONTHS = (datetime.now(UTC) + timedelta(days=60)).replace(hour=13, minute=0, second=0, microsecond=0)


@dataclass
class Saga:
    catalog: RunningService
    registration: RunningService
    staff: dict[str, str]
    registration_staff: dict[str, str]
    people: Any = field(default_factory=lambda: iter(range(1, 100_000)))

    async def create_event(self, sessions: list[tuple[int, int]], *, publish: bool = True, organisation: dict | None = None,
                           contact: dict | None = None, session: dict | None = None, **event: Any) -> dict:
        """An event with sessions of (capacity, waiting list size); published; seen by registration.
        `organisation`, `contact`, `session`: more fields for the organiser, the contact person, each session."""
        post = self.catalog.client.post
        organisation = (await post("/api/staff/organisations", headers=self.staff, json={
            "name": "Handwerkskammer Musterstadt", "kind": "chamber_of_crafts"} | (organisation or {}))).json()
        contact = (await post("/api/staff/contact-persons", headers=self.staff, json={
            "organisation_id": organisation["id"], "name": "Mara Beispiel", "email": "mara.beispiel@hwk.example.org"}
            | (contact or {}))).json()
        body = {
            "title": "Wirtschaft trifft Verwaltung", "venue_name": "Rathaus Musterstadt",
            "starts_at": IN_TWO_MONTHS.isoformat(),
            "ends_at": (IN_TWO_MONTHS + timedelta(hours=3)).isoformat(),
            "registration_deadline": (IN_TWO_MONTHS - timedelta(days=7)).isoformat(),
            "organiser_ids": [organisation["id"]],
        } | event
        response = await post("/api/staff/events", headers=self.staff, json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        for number, (capacity, waitlist) in enumerate(sessions, 1):
            response = await post(f"/api/staff/events/{created['id']}/sessions", headers=self.staff, json={
                "title": f"Themenforum {number}", "capacity": capacity, "waitlist_size": waitlist,
                "contact_person_ids": [contact["id"]]} | (session or {}))
            assert response.status_code == 201, response.text
        if publish:
            response = await post(f"/api/staff/events/{created['id']}/publish", headers=self.staff)
            assert response.status_code == 200, response.text
        event = (await self.catalog.client.get(f"/api/staff/events/{created['id']}", headers=self.staff)).json()
        await self.wait_for_copy(event["id"], status="published" if publish else "draft")
        return event

    async def wait_for_copy(self, event_id: str, *, status: str) -> None:
        async def copied() -> bool:
            rows = await self.registration.fetch("SELECT status FROM catalog_event WHERE id = $1::uuid", event_id)
            return bool(rows) and rows[0]["status"] == status
        await wait_until(copied, what=f"the registration service's copy of event {event_id} ({status})")

    def person(self, **overrides: Any) -> dict:
        n = next(self.people)
        return {"first_name": "Erika", "last_name": f"Muster {n}", "email": f"erika.muster{n}@example.org",
                "organisation": f"Muster {n} GmbH", "consent": True} | overrides

    async def register(self, event: dict, session: dict, *, wait: float = 0, **person: Any) -> httpx.Response:
        body = {"event_id": event["id"], "session_id": session["id"]} | self.person(**person)
        return await self.registration.client.post(f"/api/registrations?wait={wait}", json=body)

    async def status(self, registration: dict) -> dict:
        response = await self.registration.client.get(registration["links"]["status"])
        assert response.status_code == 200, response.text
        return response.json()

    async def wait_final(self, registrations: list[dict], timeout: float = 60) -> list[dict]:
        """The current view of each registration (through its status link), once none is pending."""
        ids = [r["id"] for r in registrations]

        async def all_final() -> bool:
            # One query rather than hundreds of requests, so that watching does not slow the run.
            rows = await self.registration.fetch(
                "SELECT count(*) AS n FROM registration WHERE id = ANY($1::uuid[]) AND status = 'pending'", ids)
            return rows[0]["n"] == 0

        await wait_until(all_final, timeout=timeout, what="every registration decided")
        return list(await asyncio.gather(*(self.status(r) for r in registrations)))

    async def session(self, session_id: str) -> dict:
        response = await self.catalog.client.get(f"/api/staff/sessions/{session_id}", headers=self.staff)
        assert response.status_code == 200, response.text
        return response.json()


async def start_saga(start_service, **registration_settings: Any) -> Saga:
    """A catalog and a registration service (with these settings) and staff tokens for both."""
    catalog = await start_service("catalog")
    registration = await start_service("registration", **registration_settings)
    return Saga(
        catalog=catalog,
        registration=registration,
        staff={"Authorization": f"Bearer {await catalog.create_token()}"},
        registration_staff={"Authorization": f"Bearer {await registration.create_token()}"},
    )
