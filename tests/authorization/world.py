"""The world the matrix asks about, built once per module through the services' real APIs and the broker (as
the saga scenario does): organisations A and B with contact persons, a programme, event E_A (by A) with two
sessions (the first naming contact person C of A, the second C2 of A), event E_B (by B) with one session naming
D of B, a confirmed registration in each of the three sessions, each confirmation in notification's delivery log;
at the staff service an account and a machine token for its admin routes to name, and the principals' accounts
(`staff_account`), made by an admin that `create-admin` made.

Destructive routes (delete, publish, close, cancel, a staff cancellation or erasure) get a fresh object per cell
from `World.fresh` (an erasure by address a fresh address, `World.fresh_address`), so that no cell takes away what
a later one asks about."""

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from treffpunkt_devstack.mailbox import Mailbox
from treffpunkt_shared.contracts.staff import Membership

from ..saga.scenario import IN_TWO_MONTHS
from ..services import RunningService
from ..waiting import wait_until
from . import staff_sessions
from .staff_sessions import StaffSession

STAFF = "staff"

# Fresh objects, named like world keys: a cell's path names one of these and gets a new one.
FRESH_CONTACT_PERSON_A = "fresh contact person of A"
FRESH_DRAFT_EVENT_A = "fresh draft event of A"
FRESH_PUBLISHED_EVENT_A = "fresh published event of A"
FRESH_REGISTRATION_A1 = "fresh registration in E_A's first session"
FRESH_MACHINE_TOKEN = "fresh machine token"
FRESH_ACCOUNT_WITH_TOTP = "fresh account with a second factor"
UNKNOWN_ID = "an id that names nothing"


@dataclass
class World:
    services: dict[str, RunningService]
    admin: dict[str, dict[str, str]]  # a machine token with scope all, per service (a staff admin's session), to build with
    mailbox: Mailbox | None = None  # where the staff service's invitations arrive
    staff_admin: StaffSession | None = None
    sessions: dict[str, StaffSession] = field(default_factory=dict)  # the principals' at the staff service
    ids: dict[str, str] = field(default_factory=dict)
    # What shows a world object in an answer (JSON, CSV or a spreadsheet's text): its id, or a registration's email.
    markers: dict[str, str] = field(default_factory=dict)
    numbers: Any = field(default_factory=lambda: itertools.count(1))

    async def post(self, service: str, path: str, body: dict | None = None, expect: int = 201) -> dict:
        response = await self.services[service].client.post(path, json=body, headers=self.admin[service])
        assert response.status_code == expect, f"building the world: POST {path}: {response.status_code} {response.text}"
        return response.json()

    def keep(self, key: str, value: str, marker: str | None = None) -> str:
        self.ids[key] = value
        self.markers[key] = marker or value
        return value

    async def build(self) -> None:
        for org in "AB":
            organisation = await self.post("catalog", "/api/staff/organisations", {
                "name": f"Matrix-Kammer {org}", "kind": "chamber_of_commerce"})
            self.keep(f"org_{org}", organisation["id"])
        for key, org in (("contact_C", "A"), ("contact_C2", "A"), ("contact_D", "B")):
            self.keep(key, (await self.contact_person(org))["id"])
        self.keep("programme", (await self.post("catalog", "/api/staff/programmes", {"title": "Matrix-Programm"}))["id"])
        event_a = await self.event("A", [["contact_C"], ["contact_C2"]])
        event_b = await self.event("B", [["contact_D"]])
        self.keep("event_A", event_a["id"])
        self.keep("session_A1", event_a["sessions"][0]["id"])
        self.keep("session_A2", event_a["sessions"][1]["id"])
        self.keep("event_B", event_b["id"])
        self.keep("session_B1", event_b["sessions"][0]["id"])
        for key, event, session in (("registration_A1", "event_A", "session_A1"),
                                    ("registration_A2", "event_A", "session_A2"),
                                    ("registration_B1", "event_B", "session_B1")):
            registration = await self.register(event, session)
            self.keep(key, registration["id"], marker=registration["email"])
            self.keep(f"{key}_email", registration["email"])
        await self.delivered([self.ids["registration_A1"], self.ids["registration_A2"], self.ids["registration_B1"]])
        if STAFF in self.services:
            account = await self.post(STAFF, "/api/staff/accounts", {
                "email": f"{self.unique('ziel').replace(' ', '-')}@matrix.example.org", "display_name": "Matrix Ziel"})
            self.keep("staff_account", account["id"])
            self.keep("staff_machine_token", (await self.machine_token(self.unique("matrix-liste"), None, False))["token_id"])

    async def machine_token(self, name: str, organisation_id: str | None, can_write: bool) -> dict:
        """A machine token made through the staff service's admin API (its answer, with the token)."""
        return await self.post(STAFF, "/api/staff/tokens", {"name": name, "organisation_id": organisation_id,
                                                            "can_write": can_write})

    async def staff_account(self, name: str, memberships: list[Membership]) -> str:
        """A principal's account at the staff service, invited and signed in (its session kept): its id."""
        assert self.staff_admin and self.mailbox, "the world has no staff service"
        account_id, email = await staff_sessions.invited_account(self.services[STAFF], self.staff_admin, self.mailbox,
                                                                 name, memberships)
        self.sessions[name] = await staff_sessions.signed_in(self.services[STAFF], email, staff_sessions.PASSWORD)
        return account_id

    async def deactivated_session(self) -> StaffSession:
        """The session of an admin account that was deactivated after it signed in."""
        assert self.staff_admin and self.mailbox, "the world has no staff service"
        account_id, email = await staff_sessions.invited_account(
            self.services[STAFF], self.staff_admin, self.mailbox, "deactivated", [Membership(role="admin")])
        session = await staff_sessions.signed_in(self.services[STAFF], email, staff_sessions.PASSWORD)
        answer = await self.services[STAFF].client.patch(f"/api/staff/accounts/{account_id}", json={"active": False},
                                                         headers=self.admin[STAFF])
        assert answer.status_code == 200 and not answer.json()["active"], answer.text
        return session

    async def contact_person(self, org: str) -> dict:
        n = next(self.numbers)
        return await self.post("catalog", "/api/staff/contact-persons", {
            "organisation_id": self.ids[f"org_{org}"], "name": f"Kontakt {org} {n}",
            "email": f"kontakt{n}.{org.lower()}@matrix.example.org"})

    async def event(self, org: str, sessions: list[list[str]], *, publish: bool = True) -> dict:
        """An event of organisation `org`, with a session naming each list of contact persons (world keys)."""
        event = await self.post("catalog", "/api/staff/events", {
            "title": f"Matrix-Veranstaltung {org} {next(self.numbers)}", "venue_name": "Rathaus Musterstadt",
            "starts_at": IN_TWO_MONTHS.isoformat(), "ends_at": (IN_TWO_MONTHS + timedelta(hours=3)).isoformat(),
            "registration_deadline": (IN_TWO_MONTHS - timedelta(days=7)).isoformat(),
            "organiser_ids": [self.ids[f"org_{org}"]], "programme_id": self.ids.get("programme")})
        for number, contacts in enumerate(sessions, 1):
            await self.post("catalog", f"/api/staff/events/{event['id']}/sessions", {
                "title": f"Forum {number}", "capacity": 50, "waitlist_size": 0,
                "contact_person_ids": [self.ids[key] for key in contacts]})
        if publish:
            await self.post("catalog", f"/api/staff/events/{event['id']}/publish", expect=200)
        response = await self.services["catalog"].client.get(f"/api/staff/events/{event['id']}",
                                                              headers=self.admin["catalog"])
        assert response.status_code == 200, response.text
        await self.copied(event["id"], "published" if publish else "draft")
        return response.json()

    async def copied(self, event_id: str, status: str) -> None:
        """Registration's and notification's copies of the event have it in `status` (their rules decide from
        them)."""
        async def in_registration() -> bool:
            rows = await self.services["registration"].fetch("SELECT status FROM catalog_event WHERE id = $1::uuid", event_id)
            return bool(rows) and rows[0]["status"] == status
        await wait_until(in_registration, timeout=30, what=f"registration's copy of event {event_id} ({status})")

    async def register(self, event: str, session: str, email: str | None = None) -> dict:
        n = next(self.numbers)
        email = email or f"teilnehmerin{n}@matrix.example.org"
        response = await self.services["registration"].client.post("/api/registrations?wait=10", json={
            "event_id": self.ids[event], "session_id": self.ids[session], "first_name": "Erika",
            "last_name": f"Matrix {n}", "email": email, "organisation": f"Matrix {n} GmbH", "consent": True})
        assert response.status_code in (201, 202), f"building the world: a registration refused: {response.text}"
        registration = response.json()

        async def confirmed() -> bool:
            rows = await self.services["registration"].fetch(
                "SELECT status FROM registration WHERE id = $1::uuid", registration["id"])
            assert rows[0]["status"] in ("pending", "confirmed"), f"building the world: a registration {rows[0]['status']}"
            return rows[0]["status"] == "confirmed"

        # Under load the answer may come before the seat is decided (202); the world needs it decided.
        await wait_until(confirmed, timeout=60, what=f"registration {registration['id']} confirmed")
        return registration | {"email": email}

    async def delivered(self, registration_ids: list[str]) -> None:
        """Notification has logged each registration's confirmation (what the delivery-log cells list)."""
        async def logged() -> bool:
            rows = await self.services["notification"].fetch(
                "SELECT count(DISTINCT registration_id) AS n FROM email WHERE registration_id = ANY($1::uuid[])",
                registration_ids)
            return rows[0]["n"] == len(registration_ids)
        await wait_until(logged, timeout=60, what="notification's confirmation of every registration")

    async def fresh(self, key: str) -> str:
        """The id of a new object of the kind `key` names (one of the FRESH_* keys), or of none (UNKNOWN_ID)."""
        if key == FRESH_CONTACT_PERSON_A:
            return (await self.contact_person("A"))["id"]
        if key == FRESH_DRAFT_EVENT_A:
            return (await self.event("A", [], publish=False))["id"]
        if key == FRESH_PUBLISHED_EVENT_A:
            return (await self.event("A", [["contact_C"]]))["id"]
        if key == FRESH_REGISTRATION_A1:
            return (await self.register("event_A", "session_A1"))["id"]
        if key == FRESH_MACHINE_TOKEN:
            return (await self.machine_token(self.unique("matrix-frisch"), None, True))["token_id"]
        if key == FRESH_ACCOUNT_WITH_TOTP:
            assert self.staff_admin and self.mailbox, "the world has no staff service"
            return await staff_sessions.account_with_totp(self.services[STAFF], self.staff_admin, self.mailbox)
        if key == UNKNOWN_ID:
            return str(uuid.uuid4())
        raise KeyError(key)

    async def fresh_address(self) -> str:
        """A new address registered for E_A (its second session) and for E_B: each organiser has one of its
        registrations to erase, an admin both."""
        email = f"{self.unique('mehrfach').replace(' ', '-')}@matrix.example.org"
        for event, session in (("event_A", "session_A2"), ("event_B", "session_B1")):
            await self.register(event, session, email)
        return email

    def unique(self, text: str) -> str:
        return f"{text} {uuid.uuid4().hex[:8]}"
