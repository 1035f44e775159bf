"""The whole system for the staff app's browser tests, once per module: catalog, registration, notification
and the staff service, the first three trusting the staff service's own access tokens (its JWKS), as in
`make dev`; an SMTP mailbox; Chromium. A world to work in: organisations A and B, a contact person of A, and
accounts (made as `make dev` makes them): an admin, an organiser of A, an organiser of B, A's contact."""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from treffpunkt_devstack.mailbox import Mailbox
from treffpunkt_shared.contracts.staff import Membership, Role

from ..backends import KafkaBackend, kafka_with_empty_topics
from ..browser.conftest import browser, page  # noqa: F401  (Chromium, a fresh context per test)
from ..notification.conftest import FAST
from ..saga.scenario import IN_TWO_MONTHS
from ..services import RunningService, free_port, start_service
from ..staff.conftest import add_account
from ..waiting import wait_until

PASSWORD = "staff-app-passwort-lang-genug"
SERVICES = ("catalog", "registration", "notification")


@dataclass
class StaffApp:
    services: dict[str, RunningService]
    mailbox: Mailbox
    builder: dict[str, dict[str, str]]  # a machine token of scope all, per service, to build the world with
    ids: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)  # account name -> email (password: PASSWORD)

    @property
    def staff(self) -> RunningService:
        return self.services["staff"]

    @property
    def url(self) -> str:
        return self.staff.settings.base_url

    async def event(self, organisation: str, sessions: list[tuple[int, int]], *, title: str, publish: bool = True,
                    contact: str | None = "contact_A") -> dict:
        """An event of organisation `organisation` ("A" or "B") in two months, with sessions of (capacity,
        waiting list size) naming the contact person; published unless not; as the catalog has it."""
        body = {"title": title, "venue_name": "Rathaus Musterstadt", "starts_at": IN_TWO_MONTHS.isoformat(),
                "ends_at": (IN_TWO_MONTHS + timedelta(hours=3)).isoformat(),
                "registration_deadline": (IN_TWO_MONTHS - timedelta(days=7)).isoformat(),
                "organiser_ids": [self.ids[f"org_{organisation}"]]}
        created = await self.post("catalog", "/api/staff/events", body)
        for number, (capacity, waitlist) in enumerate(sessions, 1):
            await self.post("catalog", f"/api/staff/events/{created['id']}/sessions", {
                "title": f"Forum {number}", "capacity": capacity, "waitlist_size": waitlist,
                "contact_person_ids": [self.ids[contact]] if contact else []})
        if publish:
            await self.post("catalog", f"/api/staff/events/{created['id']}/publish", expect=200)
        event = (await self.services["catalog"].client.get(f"/api/staff/events/{created['id']}",
                                                             headers=self.builder["catalog"])).json()

        async def copied() -> bool:
            rows = await self.services["registration"].fetch(
                "SELECT status FROM catalog_event WHERE id = $1::uuid", event["id"])
            return bool(rows) and rows[0]["status"] == event["status"]
        await wait_until(copied, what=f"registration's copy of {title}")
        return event

    async def register(self, event: dict, session: dict, **person: Any) -> dict:
        """A registration through the public JSON API, decided (confirmed or waitlisted) before it returns."""
        body = {"event_id": event["id"], "session_id": session["id"], "first_name": "Erika", "last_name": "Muster",
                "email": "erika.muster@example.org", "organisation": "Muster GmbH", "consent": True} | person
        response = await self.services["registration"].client.post("/api/registrations?wait=20", json=body)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()

    async def post(self, service: str, path: str, body: dict[str, Any] | None = None, expect: int = 201) -> dict:
        response = await self.services[service].client.post(path, json=body, headers=self.builder[service])
        assert response.status_code == expect, f"POST {path}: {response.status_code} {response.text}"
        return response.json()


@pytest.fixture(scope="module")
def app_kafka(_session_kafka: KafkaBackend | None) -> Iterator[KafkaBackend]:
    with kafka_with_empty_topics(_session_kafka) as backend:
        yield backend


@pytest.fixture(scope="module")
async def app_mailbox() -> AsyncIterator[Mailbox]:
    async with Mailbox(web_port=None) as mailbox:
        yield mailbox


@pytest.fixture(scope="module")
async def staff_app(postgres_url: str, app_kafka: KafkaBackend, app_mailbox: Mailbox) -> AsyncIterator[StaffApp]:
    ports = {name: free_port() for name in (*SERVICES, "staff")}
    issuer = f"http://localhost:{ports['staff']}"
    smtp = {"smtp_host": app_mailbox.host, "smtp_port": app_mailbox.smtp_port}
    settings: dict[str, dict[str, Any]] = {
        "catalog": {}, "registration": {}, "notification": FAST | smtp,
        "staff": smtp | {"issuer": issuer, "session_idle_minutes": 600,
                         **{f"{name}_url": f"http://127.0.0.1:{ports[name]}" for name in SERVICES}},
    }
    running: dict[str, RunningService] = {}
    try:
        for name in ("staff", *SERVICES):
            running[name] = await start_service(
                name, postgres_url=postgres_url, kafka_servers=app_kafka.bootstrap_servers,
                fetch_max_wait_ms=app_kafka.fetch_max_wait_ms, mock_broker=app_kafka.embedded is not None,
                staff_issuer=issuer if name != "staff" else None, http_port=ports[name], **settings[name])
        builder = {name: await running[name].token_headers(name="staff-app-builder") for name in SERVICES}
        app = StaffApp(running, app_mailbox, builder)
        await _build_world(app)
        yield app
    finally:
        for service in reversed(running.values()):
            await service.stop()


async def _build_world(app: StaffApp) -> None:
    for key, name, kind in (("org_A", "Wirtschaftsförderung Musterstadt", "city_office"),
                            ("org_B", "Handwerkskammer Beispielland", "chamber_of_crafts")):
        app.ids[key] = (await app.post("catalog", "/api/staff/organisations", {"name": name, "kind": kind}))["id"]
    app.ids["contact_A"] = (await app.post("catalog", "/api/staff/contact-persons", {
        "organisation_id": app.ids["org_A"], "name": "Clara Kontakt", "email": "clara.kontakt@musterstadt.example.de"}))["id"]
    accounts = {
        "admin": ("Ada Admin", [Membership(role=Role.admin)]),
        "organiser_A": ("Olga Organisatorin", [Membership(role=Role.organiser, organisation_id=app.ids["org_A"])]),
        "organiser_B": ("Bernd Beispiel", [Membership(role=Role.organiser, organisation_id=app.ids["org_B"])]),
        "contact_A": ("Clara Kontakt", [Membership(role=Role.contact, contact_person_id=app.ids["contact_A"])]),
    }
    for key, (name, memberships) in accounts.items():
        email = f"{key.lower().replace('_', '.')}@staff-app.example.de"
        await add_account(app.staff, email, PASSWORD, memberships, name=name)
        app.emails[key] = email
