"""The whole system for the privacy tests: catalog, registration and notification with real PostgreSQL,
Kafka and SMTP, and the run's log, written to a file as a deployment writes it (every service in this
process logs through the root logger)."""

import hashlib
import logging
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ..saga.scenario import Saga, start_saga
from ..services import RunningService
from ..waiting import wait_until
from .scan import hits_in_database, hits_in_file

NOTICE_TEXT = "Datenschutzhinweise der Handwerkskammer Musterstadt für Veranstaltungen, Fassung 2026-01."
ORGANISER = {"controller": "Handwerkskammer Musterstadt, Marktplatz 3, 34117 Musterstadt",
             "privacy_notice_url": "https://hwk.example.org/datenschutz", "privacy_notice_version": "2026-01",
             "privacy_notice_text": NOTICE_TEXT}
NOTICE_SHA256 = hashlib.sha256(NOTICE_TEXT.encode()).hexdigest()
CONTACT = "mara.beispiel@hwk.example.org"


@dataclass
class System:
    saga: Saga
    notification: RunningService
    mailbox: Any
    log_file: Path

    @property
    def services(self) -> list[RunningService]:
        return [self.saga.catalog, self.saga.registration, self.notification]

    async def event(self, sessions: list[tuple[int, int]], **fields: Any) -> dict:
        event = await self.saga.create_event(sessions, organisation=ORGANISER, **fields)

        async def known() -> bool:
            return bool(await self.notification.fetch("SELECT 1 FROM catalog_event WHERE id = $1::uuid", event["id"]))
        await wait_until(known, what="the notification service's copy of the event")
        return event

    async def hits(self, needles: list[str]) -> list[str]:
        """Where any of `needles` still is: every service's database, and the run's log."""
        found = []
        for service in self.services:
            found += [f"{service.name}: {hit}" for hit in await hits_in_database(service.dsn, needles)]
        for handler in logging.getLogger().handlers:
            handler.flush()
        return found + hits_in_file(self.log_file, needles)

    async def wait_erased_in_notification(self, registration_id: str) -> None:
        async def erased() -> bool:
            return bool(await self.notification.fetch(
                "SELECT 1 FROM erased_registration WHERE id = $1::uuid", registration_id))
        await wait_until(erased, timeout=30, what=f"the notification service's erasure of {registration_id}")


def unique_person() -> dict[str, str]:
    """A unique string in every personal field (the phone number's digits too), to search for afterwards."""
    tag = uuid.uuid4().hex[:12]
    digits = str(uuid.uuid4().int)[:8]
    return {"first_name": f"Vorname{tag}", "last_name": f"Nachname{tag}", "email": f"person.{tag}@example.org",
            "organisation": f"Firma{tag} GmbH", "phone": f"+49 561 {digits[:4]} {digits[4:]}",
            "remarks": f"Bemerkung{tag}: vegetarisch"}


def needles(person: dict[str, str]) -> list[str]:
    return [person["first_name"], person["last_name"], person["email"], person["organisation"],
            person["phone"].removeprefix("+49 "), person["remarks"].split(":")[0]]


def link_in(text: str, path: str) -> str:
    return re.search(rf"(http://\S+/r/\S+/{path}\?token=\S+)", text).group(1)


@pytest.fixture
def run_log(tmp_path: Path) -> Iterator[Path]:
    """The run's log as a file, at DEBUG for our services (the Kafka client at INFO, as the services set it).
    Without the test's SMTP server (`mail.log`, aiosmtpd): it stands for the mail relay, outside Treffpunkt,
    and logs each email it receives line by line, as a relay's own log would."""
    path = tmp_path / "run.log"
    handler = logging.FileHandler(path)
    handler.addFilter(lambda record: not record.name.startswith("mail.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root, kafka = logging.getLogger(), logging.getLogger("aiokafka")
    levels = root.level, kafka.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    kafka.setLevel(logging.INFO)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(levels[0])
        kafka.setLevel(levels[1])


@pytest.fixture
async def system(mailbox, start_service, run_log: Path) -> AsyncIterator[System]:
    # `mailbox` first: torn down last. The retention job runs only when a test runs it, at the time it gives.
    saga = await start_saga(start_service, erasure_interval_seconds=0)
    notification = await start_service("notification", smtp_host=mailbox.host, smtp_port=mailbox.smtp_port,
                                       sender_poll_seconds=0.05, notice_poll_seconds=0.05,
                                       coalescing_window_seconds=1)
    yield System(saga, notification, mailbox, run_log)


AFTER_RETENTION = timedelta(days=1)
