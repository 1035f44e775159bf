"""Rate limits on registrations, on by default: per client address (a proxy's X-Forwarded-For only
from a trusted proxy), per recipient address, and per token for machine clients; 429 with
Retry-After, counted in /metrics. Counted in PostgreSQL, so two replicas share them."""

import asyncio
import os
import sys
import uuid

import pytest

from ..processes import environment
from ..saga.scenario import Saga

WINDOW = 3600


def outcomes(*responses) -> list[str | int]:
    """Each answer's status, "accepted" for 201 and 202 (whether the seat was decided yet does not matter here)."""
    return ["accepted" if r.status_code in (201, 202) else r.status_code for r in responses]


@pytest.fixture
def limited(start_service):
    async def start(**limits) -> Saga:
        catalog = await start_service("catalog")
        registration = await start_service("registration", **limits)
        return Saga(catalog=catalog, registration=registration,
                    staff={"Authorization": f"Bearer {await catalog.create_token()}"},
                    registration_staff={"Authorization": f"Bearer {await registration.create_token()}"})
    return start


def retry_after(response) -> int:
    seconds = int(response.headers["retry-after"])
    assert 0 < seconds <= WINDOW
    return seconds


async def test_one_client_address_gets_its_allowance_then_429(limited):
    saga = await limited(rate_limit_per_client=3)
    event = await saga.create_event([(10, 0)])
    session = event["sessions"][0]

    allowed = [await saga.register(event, session) for _ in range(3)]
    refused = await saga.register(event, session)
    # Another address in X-Forwarded-For changes nothing: no proxy is trusted.
    forged = await saga.registration.client.post("/api/registrations", headers={"X-Forwarded-For": "203.0.113.9"},
                                                 json={"event_id": event["id"], "session_id": session["id"]} | saga.person())
    form = await saga.registration.client.post(f"/events/{event['id']}/register", data={
        "session_id": session["id"], "first_name": "Jana", "last_name": "Muster", "email": "jana.form@example.org",
        "organisation": "Muster GmbH", "consent": "yes"})
    metrics = (await saga.registration.client.get("/metrics")).text

    assert outcomes(*allowed) == ["accepted"] * 3
    assert refused.status_code == 429 and "Too many registrations from your address" in refused.json()["detail"]
    retry_after(refused)
    assert forged.status_code == 429
    assert form.status_code == 429 and "Too many registrations" in form.text
    retry_after(form)
    assert 'registration_rate_limited_total{limit="client"} 3.0' in metrics
    stored = await saga.registration.fetch("SELECT count(*) AS n FROM registration")
    assert stored[0]["n"] == 3  # nothing of the refused ones written


async def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_allowance(limited):
    saga = await limited(rate_limit_per_client=1, http_trusted_proxies=["127.0.0.0/8"])
    event = await saga.create_event([(10, 0)])
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]}
    post = saga.registration.client.post

    first = await post("/api/registrations", headers={"X-Forwarded-For": "198.51.100.1"}, json=body | saga.person())
    second = await post("/api/registrations", headers={"X-Forwarded-For": "198.51.100.2"}, json=body | saga.person())
    again = await post("/api/registrations", headers={"X-Forwarded-For": "198.51.100.1"}, json=body | saga.person())
    # The client's own claim before the proxy's entry does not help: the proxy appends the real address.
    spoofed = await post("/api/registrations", headers={"X-Forwarded-For": "192.0.2.77, 198.51.100.2"},
                         json=body | saga.person())

    assert outcomes(first, second) == ["accepted"] * 2
    assert again.status_code == 429 and spoofed.status_code == 429


async def test_one_recipient_address_gets_its_allowance_then_429(limited):
    saga = await limited(rate_limit_per_recipient=2)
    events = [await saga.create_event([(10, 0)]) for _ in range(3)]

    answers = [await saga.register(event, event["sessions"][0], email="Opfer@example.org") for event in events]
    other = await saga.register(events[2], events[2]["sessions"][0])

    assert outcomes(*answers) == ["accepted", "accepted", 429]
    assert "Too many registrations for this email address" in answers[2].json()["detail"]
    retry_after(answers[2])
    assert outcomes(other) == ["accepted"]


async def create_client_token(registration, name: str) -> str:
    """As an operator would: `python -m registration create-client-token NAME`."""
    env = os.environ | environment("registration", {
        "database_url": registration.settings.database_url, "database_name": registration.settings.database_name,
        "signing_secret": registration.settings.signing_secret.get_secret_value()})
    command = await asyncio.create_subprocess_exec(sys.executable, "-m", "registration", "create-client-token", name,
                                                   env=env, stdout=asyncio.subprocess.PIPE)
    output, _ = await command.communicate()
    assert command.returncode == 0
    return output.decode().strip().splitlines()[-1]


async def test_a_machine_client_with_a_token_has_its_own_limit(limited):
    saga = await limited(rate_limit_per_client=1, rate_limit_per_token=3)
    event = await saga.create_event([(10, 0)])
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]}
    machine = {"Authorization": f"Bearer {await create_client_token(saga.registration, 'www.musterstadt.example.de')}"}
    client = saga.registration.client

    with_token = [await client.post("/api/registrations", headers=machine, json=body | saga.person()) for _ in range(4)]
    forged = await client.post("/api/registrations", headers={"Authorization": "Bearer tpk_forged"},
                               json=body | saga.person())
    # A client token is not a staff token, nor the other way round.
    staff_token = await client.post("/api/registrations", headers=saga.registration_staff, json=body | saga.person())
    reads_lists = await client.get(f"/api/staff/events/{event['id']}/registrations", headers=machine)

    assert outcomes(*with_token) == ["accepted"] * 3 + [429]
    assert "with this token" in with_token[3].json()["detail"]
    assert forged.status_code == 401 and staff_token.status_code == 401
    assert reads_lists.status_code == 401


async def test_replicas_share_the_counts(limited, start_service):
    saga = await limited(rate_limit_per_client=2)
    replica = await start_service("registration", rate_limit_per_client=2,
                                  database_name=saga.registration.settings.database_name)
    event = await saga.create_event([(10, 0)])
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]}

    first = await saga.registration.client.post("/api/registrations", json=body | saga.person())
    second = await replica.client.post("/api/registrations", json=body | saga.person())
    third = await saga.registration.client.post("/api/registrations", json=body | saga.person())

    assert outcomes(first, second, third) == ["accepted", "accepted", 429]


async def test_a_repeated_request_counts_once_but_cannot_get_past_a_refusal(limited):
    saga = await limited(rate_limit_per_client=2, rate_limit_per_recipient=2)
    event = await saga.create_event([(10, 0)])
    body = {"event_id": event["id"], "session_id": event["sessions"][0]["id"]}
    post = saga.registration.client.post

    def send(key: str, person: dict):
        return post("/api/registrations", json=body | person, headers={"Idempotency-Key": key})

    jana = saga.person()
    double_click = await asyncio.gather(*(send("jana-1", jana) for _ in range(6)))
    retries = [await send("jana-1", jana) for _ in range(3)]
    second = await send("ole-1", saga.person())
    third = await send("uwe-1", uwe := saga.person())
    third_again = await send("uwe-1", uwe)

    assert outcomes(*double_click, *retries) == ["accepted"] * 9
    assert len({answer.json()["id"] for answer in double_click + retries}) == 1
    assert outcomes(second, third, third_again) == ["accepted", 429, 429]


async def test_the_limits_are_on_by_default(start_service):
    registration = await start_service("registration")  # no event: each attempt is counted, then refused 422
    defaults = registration.settings

    answers = [await registration.client.post("/api/registrations", json={
        "event_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()), "first_name": "Jana", "last_name": f"Muster {n}",
        "email": f"jana.muster{n}@example.org", "organisation": "Muster GmbH", "consent": True})
        for n in range(defaults.rate_limit_per_client + 1)]

    assert {a.status_code for a in answers[:-1]} == {422}
    assert answers[-1].status_code == 429
    assert (defaults.rate_limit_per_client, defaults.rate_limit_per_recipient) == (60, 5)
