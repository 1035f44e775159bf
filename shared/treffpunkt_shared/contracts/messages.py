"""Each topic's messages as one schema, for the services' AsyncAPI documents: the envelope with,
for each event type of the topic, that event's payload (discriminated by `event_type`)."""

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, create_model

from .catalog import CATALOG_EVENTS, CATALOG_TOPIC
from .delivery import DELIVERY_EVENTS, DELIVERY_TOPIC
from .envelope import Envelope, EventPayload
from .registration import REGISTRATION_EVENTS, REGISTRATION_TOPIC
from .seats import SEAT_EVENTS, SEAT_TOPIC
from .staff import STAFF_EVENTS, STAFF_TOKEN_TOPIC

TOPIC_EVENTS: dict[str, dict[str, type[EventPayload]]] = {
    CATALOG_TOPIC: CATALOG_EVENTS,
    SEAT_TOPIC: SEAT_EVENTS,
    REGISTRATION_TOPIC: REGISTRATION_EVENTS,
    DELIVERY_TOPIC: DELIVERY_EVENTS,
    STAFF_TOKEN_TOPIC: STAFF_EVENTS,
}


@cache
def message_schema(topic: str) -> Any:
    """The type of a message on `topic`: one envelope model per event type, told apart by `event_type`."""
    variants = tuple(_message_model(event_type, payload) for event_type, payload in TOPIC_EVENTS[topic].items())
    return Annotated[Union[variants], Field(discriminator="event_type")]  # noqa: UP007 (a tuple of types)


def _message_model(event_type: str, payload: type[EventPayload]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, field in Envelope.model_fields.items():
        if name == "event_type":
            fields[name] = (Literal[event_type], Field(description=field.description))
        elif name == "payload":
            fields[name] = (payload, Field(description=payload.__doc__))
        else:
            fields[name] = (field.annotation, field)
    return create_model(f"{event_type}Message", __doc__=f"The envelope of a `{event_type}`.", **fields)
