"""A registration's rules on plain objects, no database: whether an event takes registrations, what
a status still allows."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from registration.domain.model import (
    Cause,
    Consent,
    Registration,
    Status,
    causes,
    check_open,
    consent_to,
    normalise_email,
)
from treffpunkt_shared.catalog_copy import RegistrationRules
from treffpunkt_shared.contracts.catalog import Event, EventStatus, Organisation
from treffpunkt_shared.errors import Conflict, Gone, InvalidField

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PENDING = Registration(
    id=uuid4(), event_id=uuid4(), session_id=uuid4(), status=Status.pending, first_name="Jana", last_name="Muster",
    email="jana.muster@example.org", organisation="Muster Logistik GmbH", phone=None, remarks=None, language="de",
    rejection_reason=None, waitlist_sequence=None, cancelled_by=None, created_at=NOW, decided_at=None,
    cancelled_at=None, consent_at=NOW, consent_notice_url=None, consent_notice_version=None,
    consent_notice_sha256=None, consent_controller=None, erased_at=None, erased_because=None)


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


@pytest.mark.parametrize("status", [Status.pending, Status.waitlisted])
def test_an_erased_registration_takes_no_decision_that_would_write_its_data_again(status):
    erased = replace(PENDING, status=status, first_name=None, last_name=None, email=None, organisation=None,
                     erased_at=NOW, erased_because="registrant")

    assert (erased.takes_seat_decision, erased.takes_promotion) == (False, False)


def test_the_consent_is_to_the_first_organisers_notice_else_to_the_sites():
    organisers = [Organisation(id=uuid4(), name="Stadt", kind="city_office"),
                  Organisation(id=uuid4(), name="IHK", kind="chamber_of_commerce", controller="IHK, Markt 1",
                               privacy_notice_url="https://ihk.example.org/ds", privacy_notice_version="2026-01",
                               privacy_notice_sha256="ab" * 32)]
    event = Event(id=uuid4(), title="T", status="published", organisers=organisers, venue_name="V", starts_at=NOW,
                  ends_at=NOW + timedelta(hours=1), registration_deadline=NOW)

    assert consent_to(event, "https://site.example/ds") == Consent("https://ihk.example.org/ds", "2026-01", "ab" * 32,
                                                                   "IHK, Markt 1")
    assert consent_to(event.model_copy(update={"organisers": organisers[:1]}), "https://site.example/ds") == Consent(
        "https://site.example/ds", None, None, None)
    assert event.retention_days == 180


def test_an_email_address_is_one_person_whatever_its_case():
    assert normalise_email(" Jana.Muster@Example.ORG ") == "jana.muster@example.org"


@pytest.mark.parametrize(("statuses", "cancelled_by", "expected"), [
    ([Status.pending], None, [Cause.registrant]),
    ([Status.pending, Status.confirmed], None, [Cause.registrant, Cause.seat_decision]),
    ([Status.pending, Status.rejected], None, [Cause.registrant, Cause.seat_decision]),
    ([Status.pending, Status.waitlisted, Status.confirmed, Status.cancelled], "staff",
     [Cause.registrant, Cause.seat_decision, Cause.waitlist_move_up, Cause.staff]),
    ([Status.pending, Status.cancelled], "registrant", [Cause.registrant, Cause.registrant]),
])
def test_each_status_in_the_history_has_its_cause(statuses, cancelled_by, expected):
    assert causes(statuses, cancelled_by) == expected
