"""A registration rush through the public JSON API, and the event it goes to, made through the
catalog's staff API. Used by the fault tests and by `make bench`.

The rush's own HTTP client is aiohttp: at a hundred concurrent connections it costs about a tenth of
the CPU per request that httpx does (measured here: 0.4 ms against 5 ms), and on a machine the load
generator shares with the services, that CPU is taken from them.

Clients behave as a city's website should: a POST carries an Idempotency-Key, and one that fails
without an answer (connection refused or lost, a 5xx) is sent again with the same key, to the next
replica, until it is accepted or its time is up; a retry therefore never registers anyone twice.
"""

import asyncio
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiohttp
import httpx

from ..waiting import wait_until

IN_TWO_MONTHS = (datetime.now(UTC) + timedelta(days=60)).replace(hour=13, minute=0, second=0, microsecond=0)
TITLE = "Wirtschaft trifft Verwaltung: Ansturm"
ACCEPTED = (201, 202)
# A rush comes from this one machine, thousands of registrations, each retried until accepted: the
# registration service's rate limits (per client address and per recipient) raised far above it.
RUSH_RATE_LIMITS = {"rate_limit_per_client": 10_000_000, "rate_limit_per_recipient": 10_000}


@dataclass(frozen=True)
class Api:
    """Where the services answer and the staff tokens for them."""

    catalog: str
    registration: str
    notification: str
    tokens: dict[str, str]

    def headers(self, service: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[service]}"}


@dataclass(frozen=True)
class RushEvent:
    id: str
    sessions: list[dict]  # as the catalog's staff API shows them: id, capacity, waitlist_size, contact_persons
    contact_emails: list[str]


async def create_event(api: Api, *, sessions: Sequence[tuple[int, int]], tag: str) -> RushEvent:
    """A published event with sessions of (seats, waiting-list places), each listing the same two
    contact persons (addresses unique to `tag`), once the other services have their copies of it."""
    async with httpx.AsyncClient(base_url=api.catalog, headers=api.headers("catalog"), timeout=30) as catalog:
        async def post(path: str, body: dict | None = None) -> dict:
            response = await catalog.post(path, json=body)
            assert response.status_code in (200, 201), f"POST {path}: {response.status_code} {response.text}"
            return response.json()

        organisation = await post("/api/staff/organisations", {"name": f"Handwerkskammer {tag}",
                                                               "kind": "chamber_of_crafts"})
        contacts = [await post("/api/staff/contact-persons", {
            "organisation_id": organisation["id"], "name": f"Kontakt {number} {tag}",
            "email": f"kontakt{number}-{tag}@hwk.example.org"}) for number in (1, 2)]
        event = await post("/api/staff/events", {
            "title": TITLE, "venue_name": "Rathaus Musterstadt",
            "starts_at": IN_TWO_MONTHS.isoformat(), "ends_at": (IN_TWO_MONTHS + timedelta(hours=3)).isoformat(),
            "registration_deadline": (IN_TWO_MONTHS - timedelta(days=7)).isoformat(),
            "organiser_ids": [organisation["id"]],
        })
        for number, (seats, waitlist) in enumerate(sessions, 1):
            await post(f"/api/staff/events/{event['id']}/sessions", {
                "title": f"Themenforum {number}", "capacity": seats, "waitlist_size": waitlist,
                "contact_person_ids": [c["id"] for c in contacts]})
        published = await post(f"/api/staff/events/{event['id']}/publish")
    await wait_for_copies(api, published["id"], [c["id"] for c in contacts])
    return RushEvent(published["id"], published["sessions"], [c["email"] for c in contacts])


async def wait_for_copies(api: Api, event_id: str, contact_ids: Sequence[str], timeout: float = 60) -> None:
    """Until the registration service takes registrations for the event and the notification service
    knows its contact persons (both learn it from the catalog's events)."""
    async with httpx.AsyncClient(timeout=10) as client:
        async def copied() -> bool:
            form = await client.get(f"{api.registration}/events/{event_id}/register")
            known = [await client.get(f"{api.notification}/api/contact-persons/{contact}/preference",
                                      headers=api.headers("notification")) for contact in contact_ids]
            return form.status_code == 200 and all(r.status_code == 200 for r in known)

        await wait_until(copied, timeout=timeout, what=f"the copies of event {event_id} in registration and notification")


@dataclass
class Attempt:
    """One registration as its client saw it. Times are `time.perf_counter()`; `due_wall` is the
    moment it was due on the wall clock, to compare with when its email arrived."""

    number: int
    email: str
    session_id: str
    due: float
    due_wall: float
    answered: float | None = None
    status_code: int | None = None
    body: dict | None = None
    failed_tries: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status_code in ACCEPTED

    @property
    def latency(self) -> float:
        assert self.answered is not None
        return self.answered - self.due

    @property
    def registration_id(self) -> str:
        assert self.body is not None
        return self.body["id"]


def last_name(number: int) -> str:
    """Unique within a rush, and easy to find in a contact person's notice."""
    return f"Rush-{number}"


class Rush:
    """`count` registrations for `event`, spread over its sessions in turn.

    Closed loop (`rate` None): `concurrency` clients, each sending the next as soon as it has its answer.
    Open loop: one registration every 1/`rate` seconds, whatever the answers (no coordinated omission:
    a registration's latency counts from when it was due, also while it waited for a connection).
    """

    def __init__(self, registration_urls: Sequence[str], event: RushEvent, *, count: int, concurrency: int,
                 rate: float | None = None, tag: str, give_up_after: float = 90.0, request_timeout: float = 15.0,
                 max_in_flight: int = 2000) -> None:
        self.urls = list(registration_urls)
        self.event = event
        self.count = count
        self.concurrency = concurrency
        self.rate = rate
        self.tag = tag
        self.give_up_after = give_up_after
        self.request_timeout = request_timeout
        self.attempts: list[Attempt] = []
        self.accepted = 0
        self.max_in_flight = max_in_flight
        self._progress = asyncio.Condition()
        self._in_flight = asyncio.Semaphore(max_in_flight)

    async def run(self) -> list[Attempt]:
        connections = self.concurrency if self.rate is None else self.max_in_flight
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                         timeout=aiohttp.ClientTimeout(total=self.request_timeout)) as client:
            if self.rate is None:
                numbers = iter(range(1, self.count + 1))
                await asyncio.gather(*(self._client_loop(client, numbers) for _ in range(self.concurrency)))
            else:
                await self._open_loop(client)
        return self.attempts

    async def wait_accepted(self, count: int, timeout: float = 60.0) -> None:
        """Until `count` registrations are accepted (to inject a fault in the middle of the rush)."""
        async with asyncio.timeout(timeout), self._progress:
            await self._progress.wait_for(lambda: self.accepted >= count)

    async def _client_loop(self, client: aiohttp.ClientSession, numbers: Iterator[int]) -> None:
        for number in numbers:
            await self._register(client, self._attempt(number, time.perf_counter()))

    async def _open_loop(self, client: aiohttp.ClientSession) -> None:
        assert self.rate is not None
        start = time.perf_counter()
        tasks = []
        for number in range(1, self.count + 1):
            due = start + (number - 1) / self.rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(self._bounded(client, self._attempt(number, due))))
        await asyncio.gather(*tasks)

    async def _bounded(self, client: aiohttp.ClientSession, attempt: Attempt) -> None:
        async with self._in_flight:
            await self._register(client, attempt)

    def _attempt(self, number: int, due: float) -> Attempt:
        session = self.event.sessions[(number - 1) % len(self.event.sessions)]
        attempt = Attempt(number, f"rush-{self.tag}-{number}@example.org", session["id"], due,
                          time.time() - (time.perf_counter() - due))
        self.attempts.append(attempt)
        return attempt

    async def _register(self, client: aiohttp.ClientSession, attempt: Attempt) -> None:
        body = {"event_id": self.event.id, "session_id": attempt.session_id, "first_name": "Erika",
                "last_name": last_name(attempt.number), "email": attempt.email,
                "organisation": f"Firma {attempt.number} GmbH", "language": "de", "consent": True}
        headers = {"Idempotency-Key": f"{self.tag}-{attempt.number}"}
        for try_number in itertools.count():
            url = self.urls[(attempt.number + try_number) % len(self.urls)]
            try:
                async with client.post(f"{url}/api/registrations", json=body, headers=headers) as response:
                    if response.status < 500:
                        attempt.body = await response.json()
                        attempt.answered, attempt.status_code = time.perf_counter(), response.status
                        break
                    outcome = str(response.status)
            except (aiohttp.ClientError, TimeoutError) as exc:  # no answer: refused, dropped, or too slow
                outcome = type(exc).__name__
            attempt.failed_tries.append(outcome)
            if time.perf_counter() - attempt.due > self.give_up_after:
                attempt.answered = time.perf_counter()
                break
            await asyncio.sleep(0.2)
        if attempt.accepted:
            async with self._progress:
                self.accepted += 1
                self._progress.notify_all()
