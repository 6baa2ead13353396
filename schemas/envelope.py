"""The envelope every SOEMS event carries, and the base class of event payloads.

An event is an envelope (who, when, which stream and version, which command caused it) plus a
payload: a pydantic model named as a past-tense fact (``ExamPublished``). Payload classes
register themselves by name, so the catalog, the codec and the Avro schemas all start from the
same Python definitions.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict

class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str
    role: str


SYSTEM = Actor(user_id="system", role="system")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    event_type: str
    stream_id: str
    stream_version: int
    occurred_at: datetime
    actor: Actor
    command_id: UUID
    correlation_id: UUID
    causation_id: UUID | None = None


class DomainEvent(BaseModel):
    """Base of every event payload. Subclasses are immutable facts.

    ``aggregate`` names the stream family (and so the Kafka topic ``soems.<aggregate>.events``);
    ``schema_version`` is the version of the payload's Avro schema that this class writes.
    Concrete subclasses register themselves by class name, which is the event type.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    aggregate: ClassVar[str]
    schema_version: ClassVar[int] = 1
    # Per-aggregate base classes set this to stay out of the registry.
    abstract: ClassVar[bool] = True
    registry: ClassVar[dict[str, type["DomainEvent"]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        super().__pydantic_init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        if cls.__name__ in DomainEvent.registry:
            raise TypeError(f"event type {cls.__name__} is defined twice")
        DomainEvent.registry[cls.__name__] = cls

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__


class RecordedEvent(BaseModel):
    """An event as stored and published: envelope plus payload."""

    model_config = ConfigDict(frozen=True)

    envelope: Envelope
    payload: DomainEvent

    @property
    def event_type(self) -> str:
        return self.envelope.event_type


def new_envelope(payload: DomainEvent, stream_id: str, stream_version: int, actor: Actor,
                 command_id: UUID, correlation_id: UUID | None = None,
                 causation_id: UUID | None = None, occurred_at: datetime | None = None,
                 event_id: UUID | None = None) -> Envelope:
    return Envelope(
        event_id=event_id or uuid4(), event_type=payload.event_type(), stream_id=stream_id,
        stream_version=stream_version, occurred_at=occurred_at or utcnow(), actor=actor,
        command_id=command_id, correlation_id=correlation_id or command_id,
        causation_id=causation_id,
    )


def topic_for(aggregate: str) -> str:
    return f"soems.{aggregate}.events"


__all__ = ["Actor", "DomainEvent", "Envelope", "RecordedEvent", "SYSTEM", "new_envelope",
           "topic_for", "utcnow"]
