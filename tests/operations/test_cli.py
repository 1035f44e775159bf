"""The command line as the READMEs give it: `--help` of every service and every command without any
setting or secret, and the commands that only need the database run without the signing secret."""

import asyncio
import importlib
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COMMANDS = {
    "registration": ("serve", "migrate", "create-token", "revoke-token"),
    "catalog": ("serve", "migrate", "create-token", "revoke-token", "load-demo"),
    "notification": ("serve", "migrate", "create-token", "revoke-token"),
    "staff": ("serve", "migrate", "create-admin", "import-accounts", "rotate-keys"),
}
# Nothing a deployment would set: no secret, no database, no broker.
BARE = {k: v for k, v in os.environ.items()
        if not k.startswith(("REGISTRATION_", "CATALOG_", "NOTIFICATION_", "STAFF_", "DATABASE_", "KAFKA_", "SMTP_"))}


async def run(*args: str, env: dict[str, str] = BARE, cwd: Path = REPO) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", *args, env=env, cwd=cwd,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await process.communicate()
    return process.returncode, stdout.decode(), stderr.decode()


async def test_help_as_the_readmes_give_it_needs_no_settings(tmp_path):
    # The service's own help, and its first command past serve and migrate (create-token, or create-admin).
    calls = [(service, *command) for service, commands in COMMANDS.items() for command in ((), (commands[2],))]

    answers = await asyncio.gather(*(run(*call, "--help", cwd=tmp_path) for call in calls))

    for call, (code, stdout, stderr) in zip(calls, answers, strict=True):
        assert code == 0, (call, stderr)
        assert stdout.startswith(f"usage: treffpunkt-{' '.join(call)}"), (call, stdout)


@pytest.mark.parametrize(("service", "command"), [(s, c) for s, commands in COMMANDS.items() for c in commands])
def test_help_of_every_command_needs_no_settings(service, command, monkeypatch, capsys, tmp_path):
    # In this process (one interpreter for them all), with the environment of the processes above.
    monkeypatch.chdir(tmp_path)
    for name in set(os.environ) - set(BARE):
        monkeypatch.delenv(name)
    monkeypatch.setattr(sys, "argv", [service, command, "--help"])

    with pytest.raises(SystemExit) as exited:
        importlib.import_module(f"{service}.cli").main()

    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: treffpunkt-{service} {command}")


async def test_registration_commands_that_need_only_the_database_run_without_the_signing_secret(postgres_url, tmp_path):
    env = BARE | {"DATABASE_URL": postgres_url, "REGISTRATION_DATABASE_NAME": "registration_cli_without_secret"}

    migrated = await run("registration", "migrate", env=env, cwd=tmp_path)
    created = await run("registration", "create-token", "website-import", "--read-only", env=env, cwd=tmp_path)
    serve = await run("registration", "serve", env=env, cwd=tmp_path)

    assert migrated[0] == 0, migrated[2]
    assert created[0] == 0 and created[1].strip().startswith("tpk_"), created[2]
    assert serve[0] == 2 and "REGISTRATION_SIGNING_SECRET" in serve[2]
    assert "Traceback" not in serve[2]


@pytest.mark.parametrize("service", list(COMMANDS))
async def test_without_a_database_a_command_names_what_to_set(service, tmp_path):
    env = BARE | {"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/nothing"}
    command = ("create-admin", "someone@example.org") if service == "staff" else ("create-token", "someone")

    code, _, stderr = await run(service, *command, env=env, cwd=tmp_path)

    assert code == 1
    assert "DATABASE_URL" in stderr and "Traceback" not in stderr


async def test_create_token_scopes_a_machine_token_to_one_organisation(postgres_url, tmp_path):
    from uuid import uuid4

    from treffpunkt_shared.db import connect, database_dsn
    from treffpunkt_shared.staff_access import hash_token

    env = BARE | {"DATABASE_URL": postgres_url, "CATALOG_DATABASE_NAME": "catalog_cli_scoped_token"}
    organisation_id = uuid4()
    assert (await run("catalog", "migrate", env=env, cwd=tmp_path))[0] == 0
    code, token, stderr = await run("catalog", "create-token", "chamber-import", "--organisation",
                                    str(organisation_id), "--read-only", env=env, cwd=tmp_path)
    wrong = await run("catalog", "create-token", "x", "--organisation", "chamber", env=env, cwd=tmp_path)

    assert code == 0, stderr
    conn = await connect(database_dsn(postgres_url, "catalog_cli_scoped_token"))
    try:
        row = await conn.fetchrow("SELECT name, organisation_id, can_write, revoked_at FROM staff_token "
                                  "WHERE token_hash = $1", hash_token(token.strip()))
    finally:
        await conn.close()
    assert dict(row) == {"name": "chamber-import", "organisation_id": organisation_id, "can_write": False,
                         "revoked_at": None}
    assert wrong[0] == 2 and "--organisation" in wrong[2] and "Traceback" not in wrong[2]
    revoked = await run("catalog", "revoke-token", "chamber-import", env=env, cwd=tmp_path)
    assert revoked[0] == 0 and "revoked 1" in revoked[2]
