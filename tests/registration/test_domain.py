"""A registration's rules on plain objects, no database: whether an event takes registrations, what
a status still allows."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from registration.domain.model import Registration, Status, check_open, normalise_email
from treffpunkt_shared.catalog_copy import RegistrationRules
from treffpunkt_shared.contracts.catalog import EventStatus
from treffpunkt_shared.errors import Conflict, Gone, InvalidField

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PENDING = Registration(
    id=uuid4(), event_id=uuid4(), session_id=uuid4(), status=Status.pending, first_name="Jana", last_name="Muster",
    email="jana.muster@example.org", organisation="Muster Logistik GmbH", phone=None, remarks=None, language="de",
    rejection_reason=None, waitlist_sequence=None, cancelled_by=None, created_at=NOW, decided_at=None,
    cancelled_at=None)


def rules(status: EventStatus = EventStatus.published, *, deadline: datetime = NOW, has_session: bool = True):
    return RegistrationRules(status, deadline, has_session)


def test_an_event_takes_registrations_while_published_and_until_its_deadline():
    check_open(rules(), NOW, "de")


@pytest.mark.parametrize(("given", "now", "refusal", "field"), [
    (None, NOW, InvalidField, "event_id"),
    (rules(EventStatus.draft), NOW, InvalidField, "event_id"),
    (rules(has_session=False), NOW, InvalidField, "session_id"),
    (rules(EventStatus.cancelled), NOW, Gone, None),
    (rules(EventStatus.closed), NOW, Conflict, None),
    (rules(), NOW + timedelta(seconds=1), Gone, None),
])
def test_what_the_local_copy_refuses(given, now, refusal, field):
    with pytest.raises(refusal) as refused:
        check_open(given, now, "en")
    assert getattr(refused.value, "field", None) == field


@pytest.mark.parametrize(("status", "final", "cancellable", "seat_decision", "promotion"), [
    (Status.pending, False, True, True, False),
    (Status.confirmed, True, True, False, False),
    (Status.waitlisted, True, True, False, True),
    (Status.rejected, True, False, False, False),
    (Status.cancelled, True, False, False, False),
])
def test_what_each_status_still_allows(status, final, cancellable, seat_decision, promotion):
    registration = replace(PENDING, status=status)

    assert (registration.final, registration.cancellable, registration.takes_seat_decision,
            registration.takes_promotion) == (final, cancellable, seat_decision, promotion)


def test_an_email_address_is_one_person_whatever_its_case():
    assert normalise_email(" Jana.Muster@Example.ORG ") == "jana.muster@example.org"
