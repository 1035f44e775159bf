"""`make dev` as a newcomer runs it: everything starts, the demo data is there, Ctrl-C leaves nothing behind."""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from uuid import UUID

import httpx
import psutil
import pytest

from treffpunkt_devstack.mailbox import Mailbox
from treffpunkt_shared.staff_tokens import TokenVerifier

from ..services import free_port
from ..waiting import wait_until

REPO = Path(__file__).resolve().parents[2]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


DEV_PORTS = ("REGISTRATION_HTTP_PORT", "CATALOG_HTTP_PORT", "NOTIFICATION_HTTP_PORT", "STAFF_HTTP_PORT", "SMTP_PORT",
             "MAILBOX_WEB_PORT")


def start_make_dev(root: Path, env: dict[str, str]) -> tuple[subprocess.Popen, list[str]]:
    """`make dev`'s supervisor with data in ROOT/var, once it says it is ready; and what it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "treffpunkt_devstack.dev", "--root", str(root)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO,
    )
    output: list[str] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line)
        if "Try: curl" in line:
            break
    if not any("Try: curl" in line for line in output):
        process.kill()
        process.wait()
        raise AssertionError("".join(output))
    return process, output


def dev_environment(ports: dict[str, int], **extra: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "SMTP_HOST")} \
        | {k: str(v) for k, v in ports.items()} | extra


@pytest.fixture
def dev_stack(tmp_path: Path):
    ports = {name: free_port() for name in DEV_PORTS}
    process, output = start_make_dev(tmp_path, dev_environment(ports))
    try:
        yield process, ports, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_make_dev_serves_the_demo_and_stops_cleanly_on_ctrl_c(dev_stack, tmp_path):
    process, ports, output = dev_stack
    descendants = psutil.Process(process.pid).children(recursive=True)
    postgres = [p for p in psutil.process_iter(["cmdline"]) if str(tmp_path / "var" / "postgres") in " ".join(p.info["cmdline"] or [])]

    status, body = get(f"http://127.0.0.1:{ports['CATALOG_HTTP_PORT']}/api/events")
    events = json.loads(body)
    mailbox_status, _ = get(f"http://127.0.0.1:{ports['MAILBOX_WEB_PORT']}/")
    _, front_page = get(f"http://127.0.0.1:{ports['REGISTRATION_HTTP_PORT']}/")
    ready = [get(f"http://127.0.0.1:{ports[name]}/readyz")[0]
             for name in ("REGISTRATION_HTTP_PORT", "CATALOG_HTTP_PORT", "NOTIFICATION_HTTP_PORT", "STAFF_HTTP_PORT")]

    assert status == 200 and mailbox_status == 200 and ready == [200, 200, 200, 200]
    assert [len(e["sessions"]) for e in events if "Wirtschaft trifft Verwaltung" in e["title"]] == [3]
    assert all("seats_free" in s for e in events for s in e["sessions"])
    assert "Wirtschaft trifft Verwaltung" in front_page
    assert any("http://localhost" in line for line in output)
    assert len(descendants) >= 4 and postgres

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    time.sleep(0.5)
    assert [p.pid for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert [p.pid for p in postgres if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []


def test_make_dev_creates_the_demo_staff_sign_ins_and_prints_them(dev_stack, tmp_path):
    """var/dev-accounts.json as issue 13 says; every account signs in; the organiser of the Industriekreis (which
    organises the partnership meeting only) gets an access token with that organisation."""
    process, ports, output = dev_stack
    staff_url = f"http://localhost:{ports['STAFF_HTTP_PORT']}"
    accounts = json.loads((tmp_path / "var" / "dev-accounts.json").read_text())
    _, organisations = get_with_token(ports, "/api/staff/organisations", tmp_path)
    industriekreis = next(o for o in json.loads(organisations) if o["name"].startswith("Industriekreis"))

    assert accounts["url"] == staff_url and set(accounts) == {"url", "accounts"}
    assert all(set(account) == {"email", "password", "roles"} for account in accounts["accounts"])
    roles = [[role["role"] for role in account["roles"]] for account in accounts["accounts"]]
    assert roles.count(["admin"]) == 1 and roles.count(["contact"]) == 1
    organisers = {account["roles"][0]["organisation_id"]: account for account in accounts["accounts"]
                  if account["roles"][0]["role"] == "organiser"}
    assert set(organisers) == {o["id"] for o in json.loads(organisations)}
    assert any(staff_url in line for line in output)
    printed = "".join(output)
    assert all(account["email"] in printed and account["password"] in printed for account in accounts["accounts"])

    for account in accounts["accounts"]:
        with httpx.Client(base_url=staff_url, timeout=10) as client:
            form = client.get("/sign-in")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
            signed_in = client.post("/sign-in", data={"email": account["email"], "password": account["password"],
                                                      "csrf_token": csrf})
            assert signed_in.status_code == 303, (account["email"], signed_in.text)
            if account is organisers[industriekreis["id"]]:
                home = client.get("/")
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
                token = client.post("/api/tokens", json={"audience": "registration"}, headers={"X-CSRF-Token": csrf})
                claims = asyncio.run(TokenVerifier(f"{staff_url}/.well-known/jwks.json", staff_url,
                                                   "registration").verify(token.json()["access_token"]))
                assert [m.organisation_id for m in claims.memberships] == [UUID(industriekreis["id"])]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0


def get_with_token(ports: dict[str, int], path: str, root: Path) -> tuple[int, str]:
    """A catalog staff route with make dev's own token (var/staff-tokens.json)."""
    token = json.loads((root / "var" / "staff-tokens.json").read_text())["catalog"]
    request = urllib.request.Request(f"http://127.0.0.1:{ports['CATALOG_HTTP_PORT']}{path}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read().decode()


def test_the_readmes_create_token_finds_the_database_of_make_dev(dev_stack, tmp_path):
    process, ports, _ = dev_stack
    env = {k: v for k, v in os.environ.items() if "DATABASE_URL" not in k}

    created = subprocess.run([sys.executable, "-m", "catalog", "create-token", "readme-newcomer"], env=env,
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
    token = created.stdout.strip()
    request = urllib.request.Request(f"http://127.0.0.1:{ports['CATALOG_HTTP_PORT']}/api/staff/organisations",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        staff_status = response.status

    assert created.returncode == 0, created.stderr
    assert token.startswith("tpk_") and staff_status == 200
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert not (tmp_path / "var" / "dev.env").exists()  # a stopped stack is not pretended
@pytest.mark.parametrize("broker", ["kafka", "mock"])
async def test_registrations_accepted_right_before_ctrl_c_are_decided_and_emailed_after_the_next_start(tmp_path, broker):
    """As a newcomer tried it: a few registrations, then Ctrl-C at once, then `make dev` again. With Apache
    Kafka the messages wait in var/kafka; the mock broker forgets them, and the services publish their
    outboxes again and repeat the seat requests still pending."""
    ports = {name: free_port() for name in DEV_PORTS if name != "MAILBOX_WEB_PORT"}
    async with Mailbox(host="127.0.0.1", smtp_port=ports["SMTP_PORT"], web_port=None) as mailbox:
        env = dev_environment(ports, SMTP_HOST="127.0.0.1", TREFFPUNKT_BROKER=broker,
                              REGISTRATION_PENDING_REPEAT_SECONDS="5")
        process, output = await asyncio.to_thread(start_make_dev, tmp_path, env)
        assert any(("Apache Kafka" if broker == "kafka" else "mock cluster") in line for line in output), output
        catalog = f"http://127.0.0.1:{ports['CATALOG_HTTP_PORT']}"
        registration = f"http://127.0.0.1:{ports['REGISTRATION_HTTP_PORT']}"
        async with httpx.AsyncClient(timeout=10) as client:
            events = (await client.get(f"{catalog}/api/events")).json()
            event = next(e for e in events if e["sessions"])
            people = [f"neu.{n}@beispiel-gmbh.example" for n in range(15)]
            accepted = []
            for email in people:
                response = await client.post(f"{registration}/api/registrations", json={
                    "event_id": event["id"], "session_id": event["sessions"][0]["id"], "first_name": "Erika",
                    "last_name": "Neu", "email": email, "organisation": "Beispiel GmbH", "consent": True})
                assert response.status_code in (201, 202), response.text
                accepted.append(response.json())
            process.send_signal(signal.SIGINT)
            assert await asyncio.to_thread(process.wait, 60) == 0

            process, _ = await asyncio.to_thread(start_make_dev, tmp_path, env)
            try:
                async def decided() -> bool:
                    views = [(await client.get(r["links"]["status"])).json() for r in accepted]
                    return all(view["status"] != "pending" for view in views)
                await wait_until(decided, timeout=60, what="every registration decided after the restart")
                await mailbox.wait_for(len(people), timeout=60,
                                       predicate=lambda message: any(r in people for r in message.rcpt_tos))
            finally:
                process.send_signal(signal.SIGINT)
                assert await asyncio.to_thread(process.wait, 60) == 0
    emailed = Counter(r for message in mailbox.messages for r in message.rcpt_tos if r in people)
    assert emailed == Counter(people)  # each one email, none twice
