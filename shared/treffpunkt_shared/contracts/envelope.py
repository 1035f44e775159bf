"""The envelope every Kafka message travels in."""

from datetime import UTC, datetime
from typing import Any, ClassVar, Self
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class EventPayload(BaseModel):
    """Base of every event's payload. Subclasses name their topic and event type."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    topic: ClassVar[str]
    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def message_key(self) -> str:
        """The Kafka key: messages with one key keep their order (one partition)."""
        raise TypeError(f"{type(self).__name__} must define message_key()")


class Envelope(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "event_id": "6f1c1f4e-2d7b-4d4a-9a55-0e7c9a1f2b11",
                    "event_type": "EventSaved",
                    "schema_version": 1,
                    "occurred_at": "2026-11-21T10:15:00Z",
                    "producer": "catalog",
                    "correlation_id": "0b6b4c52-93cb-4f0e-8d55-3c2b0a6f7d21",
                    "payload": {},
                }
            ]
        },
    )

    event_id: UUID = Field(default_factory=uuid4, description="Unique id of this message; consumers deduplicate by it.")
    event_type: str = Field(description="What happened, past tense, e.g. `EventSaved`.")
    schema_version: int = Field(1, ge=1, description="Version of the payload's schema within the topic's major version.")
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC), description="When it happened (UTC).")
    producer: str = Field(description="The service that produced the message.")
    correlation_id: str | None = Field(None, description="Id that travels end to end; for a registration, its id.")
    payload: dict[str, Any] = Field(description="The event's data; its shape is given by `event_type`.")

    @classmethod
    def wrap(cls, payload: EventPayload, *, producer: str, correlation_id: str | None = None) -> Self:
        return cls(
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            producer=producer,
            correlation_id=correlation_id,
            payload=payload.model_dump(mode="json"),
        )

    def parse_payload(self, registry: dict[str, type[EventPayload]]) -> EventPayload | None:
        """The typed payload, or None for an event type this consumer does not know (ignored)."""
        model = registry.get(self.event_type)
        return model.model_validate(self.payload) if model is not None else None


def registry(*models: type[EventPayload]) -> dict[str, type[EventPayload]]:
    return {model.event_type: model for model in models}
