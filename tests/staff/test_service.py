"""The staff service runs like the others: health, readiness, metrics, its command line."""

import asyncio
import os
import sys

from ..services import RunningService


async def test_health_readiness_and_metrics(staff: RunningService) -> None:
    assert (await staff.client.get("/healthz")).status_code == 200
    assert (await staff.client.get("/readyz")).status_code == 200
    metrics = await staff.client.get("/metrics")
    assert metrics.status_code == 200 and "http_requests_total" in metrics.text


async def test_create_admin_prints_a_password_once_and_stores_only_its_hash(staff: RunningService) -> None:
    env = os.environ | {"STAFF_DATABASE_URL": staff.settings.database_url, "STAFF_DATABASE_NAME": staff.settings.database}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "staff", "create-admin", "Chefin@Example.org", "--name", "Erika Chefin", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    email, password = stdout.decode().split()
    assert email == "Chefin@example.org"
    [row] = await staff.fetch("""SELECT a.id, a.email, a.display_name, a.password_hash, m.role FROM staff_account a
                                 JOIN staff_membership m ON m.account_id = a.id""")
    assert (row["email"], row["display_name"], row["role"]) == ("chefin@example.org", "Erika Chefin", "admin")
    assert row["password_hash"].startswith("$argon2id$") and password not in row["password_hash"]
    [entry] = await staff.fetch("SELECT actor, action FROM audit_entry WHERE target_id = $1", str(row["id"]))
    assert (entry["actor"], entry["action"]) == ("command-line", "account_created")
