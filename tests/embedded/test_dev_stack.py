"""`make dev` as a newcomer runs it: everything starts, the demo data is there, Ctrl-C leaves nothing behind."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from ..services import free_port

REPO = Path(__file__).resolve().parents[2]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


@pytest.fixture
def dev_stack(tmp_path: Path):
    ports = {name: free_port() for name in ("REGISTRATION_HTTP_PORT", "CATALOG_HTTP_PORT", "NOTIFICATION_HTTP_PORT",
                                            "SMTP_PORT", "MAILBOX_WEB_PORT")}
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "SMTP_HOST")} | {k: str(v) for k, v in ports.items()}
    process = subprocess.Popen(
        [sys.executable, "-m", "treffpunkt_devstack.dev", "--root", str(tmp_path)],
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
    try:
        assert any("Try: curl" in line for line in output), "".join(output)
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
             for name in ("REGISTRATION_HTTP_PORT", "CATALOG_HTTP_PORT", "NOTIFICATION_HTTP_PORT")]

    assert status == 200 and mailbox_status == 200 and ready == [200, 200, 200]
    assert [len(e["sessions"]) for e in events if "Wirtschaft trifft Verwaltung" in e["title"]] == [3]
    assert all("seats_free" in s for e in events for s in e["sessions"])
    assert "Wirtschaft trifft Verwaltung" in front_page
    assert any("http://localhost" in line for line in output)
    assert len(descendants) >= 3 and postgres

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    time.sleep(0.5)
    assert [p.pid for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert [p.pid for p in postgres if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []


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
