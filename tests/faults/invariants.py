"""What must hold after a rush, whatever failed during it: nothing accepted is lost, no session is
oversold, every email is sent once. Seen from outside: the registrations as the registration service
stored them (or as its staff API lists them), the catalog's seat counters through its staff API,
and the emails that reached the SMTP server.

A repeated email (the same Message-ID received again: a crash between the SMTP server's acceptance
and the bookkeeping) is allowed and reported; two different emails of one kind to one registrant are
a duplicate and are not.
"""

import asyncio
import re
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx

from treffpunkt_devstack.mailbox import Mailbox, ReceivedMessage

from ..processes import Deployment
from .rush import Api, Attempt, RushEvent

# The registrant's email for each final status, by its subject (the rush registers in German).
SUBJECTS = {"confirmed": "Anmeldung bestätigt:", "waitlisted": "Warteliste, Platz", "rejected": "Anmeldung nicht möglich:"}
# A line of a contact person's notice names the registrant: "- Erika Rush-17 (Firma 17 GmbH): bestätigt, ...".
NOTICE_LINE = re.compile(r"^- \S+ Rush-(\d+) \(", re.MULTILINE)


class MailIndex:
    """The mailbox's messages by recipient, kept up to date cheaply (no parsing) while a rush runs."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.by_recipient: dict[str, list[ReceivedMessage]] = defaultdict(list)
        self._seen = 0
        self._listed: dict[int, list[int]] = {}  # mailbox message id -> the registrant numbers a notice lists

    def update(self) -> None:
        new = self.mailbox.messages[self._seen:]
        self._seen += len(new)
        for message in new:
            for recipient in message.rcpt_tos:
                self.by_recipient[recipient.lower()].append(message)

    def first_arrival(self, recipient: str) -> float | None:
        """When the first message to `recipient` arrived (`time.time()` seconds), or None."""
        messages = self.by_recipient.get(recipient.lower())
        return messages[0].received_at.timestamp() if messages else None

    def notice_numbers(self, contact_email: str) -> Counter[int]:
        """How often each registrant (by number) was listed in the notices to a contact person, counting
        a repeated notice (the same Message-ID) once."""
        distinct = {m.message_id: m for m in self.by_recipient.get(contact_email.lower(), [])}
        return Counter(n for m in distinct.values() for n in self._numbers(m))

    def _numbers(self, message: ReceivedMessage) -> list[int]:
        # Parsing a notice is slow and it is asked for again at every look while a run settles.
        if message.id not in self._listed:
            self._listed[message.id] = [int(n) for n in NOTICE_LINE.findall(message.text or "")]
        return self._listed[message.id]


@dataclass
class SessionTally:
    id: str
    capacity: int
    seats_allocated: int  # the catalog's seat ledger
    waitlist_count: int
    confirmed: int  # the registration service's view
    waitlisted: int


@dataclass
class Outcome:
    accepted: int
    not_accepted: list[str]
    statuses: Counter[str]
    sessions: list[SessionTally]
    missing: list[str] = field(default_factory=list)  # accepted, yet unknown to the registration service
    phantom: list[str] = field(default_factory=list)  # stored, yet never accepted to its client
    pending: list[str] = field(default_factory=list)
    without_email: list[str] = field(default_factory=list)
    wrong_email: list[str] = field(default_factory=list)
    duplicate_emails: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    notices: int = 0  # distinct emails to the contact persons
    notices_missing: list[str] = field(default_factory=list)
    notices_twice: list[str] = field(default_factory=list)

    def oversold(self) -> list[str]:
        return [f"session {s.id}: {max(s.confirmed, s.seats_allocated)} confirmed for {s.capacity} seats"
                for s in self.sessions if s.seats_allocated > s.capacity or s.confirmed > s.capacity]

    def summary(self) -> str:
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        lines = [f"{self.accepted} accepted: {statuses}; {self.notices} notice(s) to contact persons"]
        lines += [f"repeated email (same Message-ID, allowed): {repeat}" for repeat in self.repeated]
        lines += [f"PROBLEM: {problem}" for problem in self.problems()]
        return "\n".join(lines)

    def problems(self) -> list[str]:
        """Every broken invariant, named; empty when all hold."""
        found = [f"POST never accepted: {', '.join(self.not_accepted[:5])}"] if self.not_accepted else []
        found += self.oversold()
        found += [f"session {s.id}: catalog counts {s.seats_allocated} seats/{s.waitlist_count} waiting, registration "
                  f"{s.confirmed} confirmed/{s.waitlisted} waitlisted" for s in self.sessions
                  if (s.seats_allocated, s.waitlist_count) != (s.confirmed, s.waitlisted)]
        for name in ("missing", "phantom", "pending", "without_email", "wrong_email", "duplicate_emails",
                     "notices_missing", "notices_twice"):
            values = getattr(self, name)
            if values:
                found.append(f"{len(values)} {name.replace('_', ' ')}: {', '.join(values[:5])}")
        return found


# The event's registrations (`id`, `session_id`, `status`): all of them, or those of one status.
Listing = Callable[[str | None], Awaitable[list[dict]]]


def staff_listing(api: Api, event: RushEvent) -> Listing:
    """What staff see through the registration service's API."""

    async def listing(status: str | None = None) -> list[dict]:
        async with httpx.AsyncClient(base_url=api.registration, headers=api.headers("registration"),
                                     timeout=120) as client:
            response = await client.get(f"/api/staff/events/{event.id}/registrations",
                                        params={"status": status} if status else None)
        assert response.status_code == 200, f"staff listing: {response.status_code} {response.text}"
        return response.json()

    return listing


def stored_listing(deployment: Deployment, event: RushEvent) -> Listing:
    """What the registration service stored: the most direct evidence that nothing was lost."""

    async def listing(status: str | None = None) -> list[dict]:
        rows = await deployment.fetch(
            "registration",
            "SELECT id::text AS id, session_id::text AS session_id, status FROM registration "
            "WHERE event_id = $1::uuid AND ($2::text IS NULL OR status = $2)",
            event.id, status,
        )
        return [dict(row) for row in rows]

    return listing


async def wait_settled(registrations: Listing, event: RushEvent, attempts: Sequence[Attempt], mail: MailIndex, *,
                       timeout: float) -> bool:
    """Until no registration is pending, every accepted registrant has an email, and the contact persons'
    notices list every accepted registration; False if that does not happen within `timeout` seconds."""
    accepted = [a for a in attempts if a.accepted]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mail.update()
        emailed = all(a.email.lower() in mail.by_recipient for a in accepted)
        if emailed and not await registrations("pending") and _notices_complete(event, accepted, mail):
            return True
        await asyncio.sleep(0.25)
    return False


def _notices_complete(event: RushEvent, accepted: Sequence[Attempt], mail: MailIndex) -> bool:
    numbers = {a.number for a in accepted}
    return all(numbers <= set(mail.notice_numbers(contact)) for contact in event.contact_emails)


async def collect(api: Api, registrations: Listing, event: RushEvent, attempts: Sequence[Attempt],
                  mail: MailIndex) -> Outcome:
    """Compare what the clients were told with what the services and the SMTP server have."""
    mail.update()
    accepted = [a for a in attempts if a.accepted]
    stored = {r["id"]: r for r in await registrations(None)}
    async with httpx.AsyncClient(base_url=api.catalog, headers=api.headers("catalog"), timeout=30) as catalog:
        ledger = [(await catalog.get(f"/api/staff/sessions/{s['id']}")).json() for s in event.sessions]
    by_session = Counter((r["session_id"], r["status"]) for r in stored.values())
    outcome = Outcome(
        accepted=len(accepted),
        not_accepted=[f"#{a.number} ({a.status_code or ', '.join(a.failed_tries[-2:])})" for a in attempts
                      if not a.accepted],
        statuses=Counter(r["status"] for r in stored.values()),
        sessions=[SessionTally(s["id"], s["capacity"], s["seats_allocated"], s["waitlist_count"],
                               by_session[s["id"], "confirmed"], by_session[s["id"], "waitlisted"]) for s in ledger],
    )
    accepted_ids = {a.registration_id for a in accepted}
    outcome.missing = sorted(accepted_ids - set(stored))
    outcome.phantom = sorted(set(stored) - accepted_ids)
    outcome.pending = sorted(i for i, r in stored.items() if r["status"] == "pending")
    for attempt in accepted:
        _check_registrant_emails(outcome, attempt, stored.get(attempt.registration_id), mail)
    _check_notices(outcome, event, accepted, mail)
    return outcome


def _check_registrant_emails(outcome: Outcome, attempt: Attempt, registration: dict | None, mail: MailIndex) -> None:
    received = mail.by_recipient.get(attempt.email.lower(), [])
    if not received:
        outcome.without_email.append(attempt.email)
        return
    message_ids = Counter(m.message_id for m in received)
    if len(message_ids) > 1:
        outcome.duplicate_emails.append(f"{attempt.email}: {sorted(m.subject for m in received)}")
    outcome.repeated += [f"{message_id} to {attempt.email} ({times}×)" for message_id, times in message_ids.items()
                         if times > 1]
    expected = SUBJECTS.get(registration["status"]) if registration else None
    if expected is None or not all(m.subject.startswith(expected) for m in received):
        status = registration["status"] if registration else "unknown"
        outcome.wrong_email.append(f"{attempt.email} ({status}): {received[0].subject!r}")


def _check_notices(outcome: Outcome, event: RushEvent, accepted: Sequence[Attempt], mail: MailIndex) -> None:
    numbers = {a.number for a in accepted}
    for contact in event.contact_emails:
        received = mail.by_recipient.get(contact.lower(), [])
        message_ids = Counter(m.message_id for m in received)
        outcome.notices += len(message_ids)
        outcome.repeated += [f"{message_id} to {contact} ({times}×)" for message_id, times in message_ids.items()
                             if times > 1]
        listed = mail.notice_numbers(contact)
        outcome.notices_missing += [f"#{n} to {contact}" for n in sorted(numbers - set(listed))]
        outcome.notices_twice += [f"#{n} to {contact} ({times}×)" for n, times in sorted(listed.items()) if times > 1]
