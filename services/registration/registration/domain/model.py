"""A registration and its rules, without I/O: whether an event takes registrations, what may follow
which status, and what a registrant and the seat ledger may still change."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from treffpunkt_shared.catalog_copy import RegistrationRules
from treffpunkt_shared.contracts.catalog import Event, EventStatus
from treffpunkt_shared.errors import Conflict, Gone, InvalidField

from ..texts import texts


class Status(StrEnum):
    pending = "pending"        # accepted, waiting for the catalog's seat decision
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    rejected = "rejected"
    cancelled = "cancelled"


# The status transitions: the seat decision ends `pending`; a promotion moves `waitlisted` to `confirmed`;
# whatever is still active can be cancelled; `rejected` and `cancelled` stay as they are.
_NEXT: dict[Status, frozenset[Status]] = {
    Status.pending: frozenset({Status.confirmed, Status.waitlisted, Status.rejected, Status.cancelled}),
    Status.waitlisted: frozenset({Status.confirmed, Status.cancelled}),
    Status.confirmed: frozenset({Status.cancelled}),
    Status.rejected: frozenset(),
    Status.cancelled: frozenset(),
}


class Cause(StrEnum):
    """Who or what brought a status about (a registration's status history, for staff)."""

    registrant = "registrant"          # registered, or cancelled through their link or "my data"
    staff = "staff"                    # cancelled on the person's behalf
    seat_decision = "seat_decision"    # the catalog's seat ledger decided the request
    waitlist_move_up = "waitlist_move_up"  # a seat came free and the next on the waiting list got it


def causes(statuses: list[Status], cancelled_by: str | None) -> list[Cause]:
    """The cause of each status in a registration's history, oldest first. The transitions (`_NEXT`) say it:
    only the registrant creates a registration, only the seat ledger ends `pending`, only a move-up takes
    `waitlisted` to `confirmed`, and a cancellation records who cancelled."""
    found = []
    for previous, status in zip([None, *statuses], statuses, strict=False):
        if previous is None:
            found.append(Cause.registrant)
        elif status is Status.cancelled:
            found.append(Cause(cancelled_by or Cause.registrant))
        elif previous is Status.waitlisted:
            found.append(Cause.waitlist_move_up)
        else:
            found.append(Cause.seat_decision)
    return found


@dataclass(frozen=True)
class Consent:
    """What the person agreed to: the privacy notice (URL, version, SHA-256 of its text) and who was named
    as the controller. With the registration's language and `consent_at` it is the consent record."""

    notice_url: str | None
    notice_version: str | None
    notice_sha256: str | None
    controller: str | None


@dataclass(frozen=True)
class Registration:
    id: UUID
    event_id: UUID
    session_id: UUID
    status: Status
    first_name: str | None  # the personal fields are None once erased
    last_name: str | None
    email: str | None
    organisation: str | None
    phone: str | None
    remarks: str | None
    language: str
    rejection_reason: str | None
    waitlist_sequence: int | None
    cancelled_by: str | None
    created_at: datetime
    decided_at: datetime | None
    cancelled_at: datetime | None
    # The consent record and the erasure (defaults: for registrations made up in tests).
    consent_at: datetime | None = None
    consent_notice_url: str | None = None
    consent_notice_version: str | None = None
    consent_notice_sha256: str | None = None
    consent_controller: str | None = None
    erased_at: datetime | None = None
    erased_because: str | None = None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def final(self) -> bool:
        """Whether the seat is decided (the answer to the registrant no longer says `pending`)."""
        return self.status is not Status.pending

    @property
    def cancellable(self) -> bool:
        # Erased after its retention period, a registration keeps its last status; there is nobody to cancel for.
        return Status.cancelled in _NEXT[self.status] and not self.erased

    @property
    def takes_seat_decision(self) -> bool:
        """A decision applies to a pending registration; a cancelled one stays cancelled (the catalog
        releases whatever it allocated when it handles the cancellation, which follows the request)."""
        return self.status is Status.pending and not self.erased

    @property
    def takes_promotion(self) -> bool:
        # An erased registration stays erased: no decision writes anything of it again.
        return self.status is Status.waitlisted and not self.erased


def consent_to(event: Event | None, site_privacy_url: str | None) -> Consent:
    """The notice a registration for `event` agrees to: its organiser's, else the site's (without version and
    hash: the site's notice is the operator's, outside the catalog)."""
    organiser = event.privacy_organiser if event is not None else None
    if organiser is None:
        return Consent(site_privacy_url, None, None, None)
    return Consent(organiser.privacy_notice_url, organiser.privacy_notice_version, organiser.privacy_notice_sha256,
                   organiser.controller)


def check_open(rules: RegistrationRules | None, now: datetime, language: str) -> None:
    """The registration rules the local copy of the catalog can decide; the seat is the catalog's. Refusals
    are in `language`, the registration's."""
    words = texts(language)
    if rules is None or rules.status is EventStatus.draft:
        raise InvalidField("event_id", words["refused.no_event"])
    if not rules.has_session:
        raise InvalidField("session_id", words["refused.other_session"])
    if rules.status is EventStatus.cancelled:
        raise Gone(words["refused.event_cancelled"])
    if rules.status is EventStatus.closed:
        raise Conflict(words["refused.closed"])
    if now > rules.registration_deadline:
        raise Gone(words["refused.deadline_passed"])


def normalise_email(email: str) -> str:
    """Duplicates are found case-insensitively: the domain part is case-insensitive, and people
    do not expect `Jana.Muster@…` and `jana.muster@…` to be two registrations."""
    return email.strip().lower()
