"""The envelope every SOEMS event carries, and the base class of event payloads.

An event is an envelope (who, when, which stream and version, which command caused it) plus a
payload: a pydantic model named as a past-tense fact (``ExamPublished``). Payload classes
register themselves by name, so the catalog, the codec and the Avro schemas all start from the
same Python definitions.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, create_model

@dataclass(frozen=True)
class Aggregate:
    """A family of event streams, declared once (``EXAM = Aggregate("exam", "exam")``).

    Everything about it derives from this declaration: its Kafka topic, its stream
    ids (``<stream_prefix>-<id>``), the Avro namespace of its events, and the event classes
    whose base names it. Consumers subscribe to aggregates, never to topic strings.
    """

    name: str
    stream_prefix: str

    registry: ClassVar[dict[str, "Aggregate"]] = {}

    def __post_init__(self) -> None:
        known = Aggregate.registry.get(self.name)
        if known is not None and known != self:
            raise TypeError(f"aggregate {self.name} is declared twice")
        Aggregate.registry[self.name] = self

    @property
    def topic(self) -> str:
        return f"soems.{self.name}.events"

    def stream_id(self, entity_id: str) -> str:
        return f"{self.stream_prefix}-{entity_id}"

    def entity_id(self, stream_id: str) -> str:
        prefix = f"{self.stream_prefix}-"
        if not stream_id.startswith(prefix):
            raise ValueError(f"{stream_id} is not a {self.name} stream")
        return stream_id[len(prefix):]

    def events(self) -> dict[str, type["DomainEvent"]]:
        return {name: cls for name, cls in DomainEvent.registry.items() if cls.aggregate is self}

    def __str__(self) -> str:
        return self.name


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


# What every consumer's fold reads of an envelope (the redelivery check and the codec's own).
ALWAYS_READ = ("event_type", "stream_version")


def envelope_view(reads: Iterable[str] | None) -> type[BaseModel]:
    """The envelope as a consumer that reads only ``reads`` of it is given it: a model with
    just those fields (and ``ALWAYS_READ``), which the codec fills without reading the others
    (UUIDs, the actor: two thirds of an event's decoding, measured). None: the whole
    ``Envelope``. Reading a field left out raises AttributeError, loudly."""
    if reads is None:
        return Envelope
    return _view(frozenset(reads) | frozenset(ALWAYS_READ))


@cache
def _view(fields: frozenset[str]) -> type[BaseModel]:
    unknown = fields - Envelope.model_fields.keys()
    if unknown:
        raise ValueError(f"the envelope has no {', '.join(sorted(unknown))}")
    kept = [name for name in Envelope.model_fields if name in fields]  # the envelope's order
    return create_model(
        f"EnvelopeView[{','.join(kept)}]", __config__=ConfigDict(frozen=True, extra="forbid"),
        **{name: (Envelope.model_fields[name].annotation, Envelope.model_fields[name])
           for name in kept})


def narrowed(event: "RecordedEvent", view: type[BaseModel]) -> "RecordedEvent":
    """``event`` with its envelope cut down to ``view`` (for folds given events in memory)."""
    if type(event.envelope) is view:
        return event
    envelope = view.model_construct(**{name: getattr(event.envelope, name)
                                       for name in view.model_fields})
    return RecordedEvent.model_construct(envelope=envelope, payload=event.payload)


class DomainEvent(BaseModel):
    """Base of every event payload. Subclasses are immutable facts.

    ``aggregate`` is the stream family (and so the Kafka topic ``soems.<aggregate>.events``);
    ``schema_version`` is the version of the payload's Avro schema that this class writes.
    Concrete subclasses register themselves by class name, which is the event type.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    aggregate: ClassVar[Aggregate]
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


class EventPart(BaseModel):
    """A record nested in an event payload (an option, a section): immutable like the event."""

    model_config = ConfigDict(frozen=True, extra="forbid")


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


__all__ = ["Actor", "Aggregate", "DomainEvent", "Envelope", "EventPart", "RecordedEvent", "SYSTEM",
           "envelope_view", "narrowed", "new_envelope", "utcnow"]
