"""`make dev`: the whole system on one machine, no Docker.

Starts a real PostgreSQL (data in `var/postgres`, kept across restarts), a Kafka broker (Apache Kafka
on the local JVM, data in `var/kafka`, also kept; brokers.py says which broker and in what order), the
SMTP mailbox with its web page, and the four services as separate processes with their demo data and
demo staff sign-ins (`var/dev-accounts.json`); prints where everything is; on Ctrl-C or SIGTERM stops it
all. Any embedded part is replaced by a real
one when its environment variable is set: `DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, `SMTP_HOST` (with
`SMTP_PORT`, ...).
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from treffpunkt_shared.cli import DEV_ENV_FILE

from .brokers import MOCK_NOTE, Broker, start_broker
from .children import die_with_parent

SERVICES = (("registration", 8000), ("catalog", 8001), ("notification", 8002), ("staff", 8003))
# The services with staff bearer tokens of their own (`create-token`); the staff service manages machine tokens.
TOKEN_SERVICES = ("registration", "catalog", "notification")
DEV_ACCOUNTS_FILE = "dev-accounts.json"
DEV_ACCOUNTS_DOMAIN = "dev.treffpunkt.example"


@dataclass
class Child:
    name: str
    port: int
    process: asyncio.subprocess.Process
    log_path: Path


class DevStack:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.var = root / "var"
        self.env = dict(os.environ)
        self.children: list[Child] = []
        self._postgres = None
        self._kafka: Broker | None = None
        self._mailbox = None
        self.notes: list[str] = []

    async def start(self) -> None:
        started = time.monotonic()
        (self.var / "log").mkdir(parents=True, exist_ok=True)
        self.env.setdefault("REGISTRATION_SIGNING_SECRET", self._signing_secret())
        # One minute rather than production's five, so that trying it out shows the contact persons' notice soon.
        self.env.setdefault("NOTIFICATION_COALESCING_WINDOW_SECONDS", "60")
        staff_port = int(self.env.get("STAFF_HTTP_PORT", dict(SERVICES)["staff"]))
        self.env.setdefault("STAFF_ISSUER", f"http://localhost:{staff_port}")
        self._start_postgres()
        self._write_cli_env()
        await self._start_kafka()
        await self._start_mailbox()
        await asyncio.gather(*(self._run(name, "migrate") for name, _ in SERVICES))
        tokens, _ = await asyncio.gather(self._staff_tokens(), self._run("catalog", "load-demo"))
        for name, default_port in SERVICES:
            port = int(self.env.get(f"{name.upper()}_HTTP_PORT", default_port))
            self.children.append(await self._spawn(name, port))
        await asyncio.gather(*(self._wait_ready(child) for child in self.children))
        await self._wait_for_copies()
        accounts = await self._dev_accounts(tokens["catalog"])
        self._print_summary(tokens, accounts, time.monotonic() - started)

    def _signing_secret(self) -> str:
        """The secret for registrants' links, made once and kept, so links in the mailbox keep working."""
        path = self.var / "signing-secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def _start_postgres(self) -> None:
        if "DATABASE_URL" in self.env:
            self.notes.append("PostgreSQL: DATABASE_URL")
            return
        from .postgres import EmbeddedPostgres

        self._postgres = EmbeddedPostgres(self.var / "postgres")
        self.env["DATABASE_URL"] = self._postgres.url
        self.notes.append(f"PostgreSQL 16 (embedded): data in {self.var / 'postgres'}")

    def _write_cli_env(self) -> None:
        """Where the services' command line finds the database while this runs (`python -m catalog
        create-token NAME` without a DATABASE_URL): read by `treffpunkt_shared.cli`, removed on stop."""
        lines = [f"{name.upper()}_DATABASE_URL='{self.env['DATABASE_URL']}'" for name, _ in SERVICES]
        path = self.root / DEV_ENV_FILE
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)

    async def _start_kafka(self) -> None:
        port = int(self.env.get("KAFKA_PORT", 9092))
        self._kafka = await asyncio.to_thread(start_broker, self.var / "kafka", self.var / "log" / "kafka.log",
                                              port=port)
        self.env["KAFKA_BOOTSTRAP_SERVERS"] = ",".join(self._kafka.bootstrap_servers)
        if self._kafka.is_mock:
            from .kafka import FETCH_MAX_WAIT_MS

            self.env.setdefault("KAFKA_FETCH_MAX_WAIT_MS", str(FETCH_MAX_WAIT_MS))
            self.env["KAFKA_MOCK_BROKER"] = "true"
        self.notes.append(f"Kafka: {self._kafka.description}")
        print(f"Kafka broker: {self._kafka.description}", flush=True)
        if self._kafka.fallback_reason:
            print(f"  {self._kafka.fallback_reason}", flush=True)

    async def _start_mailbox(self) -> None:
        if "SMTP_HOST" in self.env:
            self.notes.append(f"SMTP: {self.env['SMTP_HOST']}:{self.env.get('SMTP_PORT', '')}")
            return
        from .mailbox import Mailbox

        smtp_port = int(self.env.get("SMTP_PORT", 1025))
        self._mailbox = Mailbox(host="127.0.0.1", smtp_port=smtp_port,
                                web_port=int(self.env.get("MAILBOX_WEB_PORT", 8025)))
        await self._mailbox.start()
        self.env["SMTP_HOST"], self.env["SMTP_PORT"] = "127.0.0.1", str(self._mailbox.smtp_port)

    async def _staff_tokens(self) -> dict[str, str]:
        """One staff token per service, made on the first start and kept in var/ (git ignores it)."""
        path = self.var / "staff-tokens.json"
        tokens = json.loads(path.read_text()) if path.exists() else {}
        missing = [name for name in TOKEN_SERVICES if name not in tokens]
        created = await asyncio.gather(*(self._run(name, "create-token", "make-dev") for name in missing))
        tokens |= {name: token.strip() for name, token in zip(missing, created, strict=True)}
        path.write_text(json.dumps(tokens, indent=2))
        path.chmod(0o600)
        return tokens

    async def _dev_accounts(self, catalog_token: str) -> dict:
        """The demo staff sign-ins: an admin, an organiser of each demo organisation, a contact account for a
        demo contact person (the catalog's, read through its staff API). Their passwords are made on the first
        start and kept in var/dev-accounts.json, which the staff service imports at every start."""
        catalog = next(c for c in self.children if c.name == "catalog")

        def staff_list(path: str) -> list[dict]:
            request = urllib.request.Request(f"http://127.0.0.1:{catalog.port}/api/staff/{path}",
                                             headers={"Authorization": f"Bearer {catalog_token}"})
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read())

        organisations, contacts = await asyncio.gather(asyncio.to_thread(staff_list, "organisations"),
                                                       asyncio.to_thread(staff_list, "contact-persons"))
        wanted = [(f"admin@{DEV_ACCOUNTS_DOMAIN}", [{"role": "admin"}])]
        wanted += [(f"{_slug(o['name'])}@{DEV_ACCOUNTS_DOMAIN}", [{"role": "organiser", "organisation_id": o["id"]}])
                   for o in organisations]
        contact = min(contacts, key=lambda c: c["name"])  # the same one at every start
        wanted.append((contact["email"], [{"role": "contact", "contact_person_id": contact["id"]}]))

        path = self.var / DEV_ACCOUNTS_FILE
        kept = {a["email"]: a["password"] for a in json.loads(path.read_text())["accounts"]} if path.exists() else {}
        document = {"url": self.env["STAFF_ISSUER"], "accounts": [
            {"email": email, "password": kept.get(email) or secrets.token_urlsafe(12), "roles": roles}
            for email, roles in wanted]}
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        path.chmod(0o600)
        await self._run("staff", "import-accounts", str(path))
        return document

    async def _run(self, service: str, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", service, *args, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{service} {' '.join(args)} failed:\n{output.decode(errors='replace')}")
        return output.decode().splitlines()[-1] if output.strip() else ""

    async def _spawn(self, name: str, port: int) -> Child:
        log_path = self.var / "log" / f"{name}.log"
        env = self.env | {f"{name.upper()}_HTTP_PORT": str(port), f"{name.upper()}_HTTP_HOST": "127.0.0.1"}
        log_file = log_path.open("ab")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", name, "serve", env=env, stdout=log_file, stderr=log_file,
            preexec_fn=die_with_parent,
        )
        log_file.close()
        return Child(name, port, process, log_path)

    async def _wait_ready(self, child: Child, timeout: float = 60.0) -> None:
        url = f"http://127.0.0.1:{child.port}/readyz"

        async def ready() -> bool:
            if child.process.returncode is not None:
                raise RuntimeError(f"{child.name} exited with {child.process.returncode}; see {child.log_path}")
            return await asyncio.to_thread(_answers, url)

        await _poll(ready, timeout=timeout, failure=f"{child.name} not ready after {timeout:.0f}s; see {child.log_path}")

    async def _wait_for_copies(self, timeout: float = 60.0) -> None:
        """Until the registration form of every published event opens: the services start taking messages
        after they answer HTTP, and the front page should not greet a newcomer with "no events"."""
        catalog, registration = (next(c for c in self.children if c.name == name) for name in ("catalog", "registration"))
        events = json.loads(await asyncio.to_thread(_read, f"http://127.0.0.1:{catalog.port}/api/events"))
        forms = [f"http://127.0.0.1:{registration.port}/events/{event['id']}/register" for event in events]

        async def copied() -> bool:
            return all(await asyncio.gather(*(asyncio.to_thread(_answers, url) for url in forms)))

        await _poll(copied, timeout=timeout, failure=f"registration has no copy of the catalog's events after "
                    f"{timeout:.0f}s; see {registration.log_path}")

    def _print_summary(self, tokens: dict[str, str], accounts: dict, seconds: float) -> None:
        lines = [f"\nTreffpunkt is running (ready in {seconds:.1f}s). Ctrl-C stops everything.\n"]
        for child in self.children:
            lines.append(f"  {child.name:<13} http://localhost:{child.port}   (API docs: /docs, log: {child.log_path})")
        if self._mailbox is not None:
            lines.append(f"  {'mailbox':<13} {self._mailbox.web_url}   (SMTP on localhost:{self._mailbox.smtp_port})")
        lines.append("")
        lines += [f"  {note}" for note in self.notes]
        lines.append(f"  Contact persons' notices are gathered for {self.env['NOTIFICATION_COALESCING_WINDOW_SECONDS']}s "
                     "before they are sent (NOTIFICATION_COALESCING_WINDOW_SECONDS).")
        lines.append("\n  Staff tokens (Authorization: Bearer ...), kept in var/staff-tokens.json:")
        lines += [f"    {name:<13} {token}" for name, token in tokens.items()]
        lines.append(f"\n  Staff sign-in at {accounts['url']} (kept in var/{DEV_ACCOUNTS_FILE}):")
        for account in accounts["accounts"]:
            roles = ", ".join(role["role"] for role in account["roles"])
            lines.append(f"    {roles:<10} {account['email']:<58} {account['password']}")
        lines.append(f"\n  Try: curl http://localhost:{self.children[1].port}/api/events\n")
        if self._kafka is not None and self._kafka.is_mock:
            lines.append("  " + MOCK_NOTE + "\n")
        print("\n".join(lines), flush=True)

    async def watch(self, stop: asyncio.Event) -> None:
        """Run until asked to stop or until a service dies (which is reported)."""
        waits = {asyncio.create_task(child.process.wait()): child for child in self.children}
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopping, *waits], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task in waits:
                child = waits[task]
                print(f"{child.name} exited with {child.process.returncode}; see {child.log_path}. Stopping.",
                      file=sys.stderr, flush=True)
        for task in (stopping, *waits):
            task.cancel()

    async def stop(self) -> None:
        for child in self.children:
            if child.process.returncode is None:
                child.process.terminate()
        for child in self.children:
            try:
                await asyncio.wait_for(child.process.wait(), 15)
            except TimeoutError:
                child.process.kill()
                await child.process.wait()
        if self._mailbox is not None:
            await self._mailbox.stop()
        if self._kafka is not None:
            await asyncio.to_thread(self._kafka.stop)
        (self.root / DEV_ENV_FILE).unlink(missing_ok=True)
        if self._postgres is not None:
            self._postgres.stop()


async def _poll(condition: Callable[[], Awaitable[bool]], *, timeout: float, failure: str) -> None:
    """Until `condition()` holds, looking every 0.2 s; a RuntimeError saying `failure` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise RuntimeError(failure)
        await asyncio.sleep(0.2)


def _slug(name: str) -> str:
    """An address's local part from an organisation's name: "Stadt Musterstadt, Amt für Wirtschaftsförderung"
    gives "stadt-musterstadt-amt-fuer-wirtschaftsfoerderung"."""
    for letter, spelt in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        name = name.lower().replace(letter, spelt)
    return "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in name).split())


def _read(url: str, timeout: float = 5) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def _answers(url: str) -> bool:
    """Whether `url` answers with success (a refused connection or an error status is no)."""
    try:
        _read(url, timeout=1)
    except OSError:
        return False
    return True


async def main(root: Path) -> int:
    stack = DevStack(root)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stack.start()
        await stack.watch(stop)
    except RuntimeError as exc:
        print(f"make dev: {exc}", file=sys.stderr)
        return 1
    finally:
        print("Stopping ...", flush=True)
        await stack.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (data goes to ROOT/var)")
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(asyncio.run(main(parser.parse_args().root)))
