"""Every contract's documented example is valid and survives the trip through the envelope."""

import pytest

from treffpunkt_shared.contracts.catalog import CATALOG_EVENTS, Event
from treffpunkt_shared.contracts.delivery import DELIVERY_EVENTS
from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.contracts.registration import REGISTRATION_EVENTS
from treffpunkt_shared.contracts.seats import SEAT_EVENTS

ALL_EVENTS = CATALOG_EVENTS | SEAT_EVENTS | REGISTRATION_EVENTS | DELIVERY_EVENTS
CONTRACTS = list(ALL_EVENTS.values())


@pytest.mark.parametrize("model", CONTRACTS, ids=lambda m: m.event_type)
def test_example_round_trips_through_the_envelope(model) -> None:
    example = model.model_json_schema()["examples"][0]
    payload = model.model_validate(example)
    wire = Envelope.wrap(payload, producer="test", correlation_id="c-1").model_dump_json()

    received = Envelope.model_validate_json(wire)

    assert received.event_type == model.event_type
    assert received.correlation_id == "c-1"
    assert received.parse_payload(ALL_EVENTS) == payload
    assert received.payload == payload.model_dump(mode="json")


@pytest.mark.parametrize("model", CONTRACTS, ids=lambda m: m.event_type)
def test_every_field_is_described(model) -> None:
    def undescribed(schema: dict, path: str = "") -> list[str]:
        missing = []
        for name, prop in schema.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{path}{name}")
        for name, sub in schema.get("$defs", {}).items():
            missing += undescribed(sub, f"{name}.")
        return missing

    assert undescribed(model.model_json_schema()) == []


def test_consumers_ignore_unknown_fields() -> None:
    example = Event.model_json_schema()["examples"][0] | {"added_in_a_later_version": 1}
    wire = {"event_type": "EventSaved", "producer": "catalog", "payload": {"event": example}, "future": True}

    envelope = Envelope.model_validate(wire)

    assert envelope.parse_payload(CATALOG_EVENTS).event.title == example["title"]


def test_an_event_snapshot_from_before_reminders_gets_the_default_schedule() -> None:
    example = Event.model_json_schema()["examples"][0]
    older = {name: value for name, value in example.items() if name != "reminder"}

    schedule = Event.model_validate(older).reminder

    assert (schedule.enabled, schedule.days_before, schedule.local_time) == (True, 2, "09:00")


def test_unknown_event_types_are_ignored() -> None:
    envelope = Envelope(event_type="SomethingNew", producer="catalog", payload={"x": 1})

    assert envelope.parse_payload(CATALOG_EVENTS) is None
