"""The generated readers (schemas/compiled_reader.py) read exactly what fastavro and pydantic
read, for every committed event type: random events, every truncation, flipped bytes."""
from __future__ import annotations

from datetime import timezone
from io import BytesIO
from typing import Annotated, Any, ClassVar
from uuid import UUID

import pytest
from fastavro import parse_schema, schemaless_writer
from fastavro.schema import expand_schema
from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic import BaseModel, Field, field_validator

from schemas.avro_gen import event_schema
from schemas.catalog import default_catalog
from schemas.codec import MARKER, DecodeError, EventCodec
from schemas.compat import sample_datum
from schemas.compiled_reader import compile_event_reader
from schemas.envelope import (Aggregate, DomainEvent, Envelope, EventPart, RecordedEvent,
                              envelope_view)
from schemas.events import ALL_EVENTS
from schemas.events.exam import EXAM

COMPILED = EventCodec(default_catalog())
REFERENCE = EventCodec(default_catalog(), compile_readers=False)  # fastavro, then pydantic
CURRENT = {name: default_catalog().current(name) for name in ALL_EVENTS}
# The same examples on every run, so CI is deterministic; a run with 400 and 150 examples per
# event type passed when the readers were written (raise max_examples to look further).
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DAMAGE_SETTINGS = settings(SETTINGS, max_examples=10)


def datum_strategy(schema: Any) -> st.SearchStrategy:
    """Any value of an expanded Avro schema, the way the encoder could write it."""
    if isinstance(schema, list):
        return st.one_of(*(datum_strategy(branch) for branch in schema))
    if isinstance(schema, str):
        schema = {"type": schema}
    logical, kind = schema.get("logicalType"), schema["type"]
    if logical == "uuid":
        return st.uuids()
    if logical == "timestamp-micros":
        return st.datetimes(timezones=st.just(timezone.utc))
    if kind == "null":
        return st.none()
    if kind == "string":
        return st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
    if kind == "long":
        return st.integers(-2**63, 2**63 - 1)
    if kind == "double":
        return st.floats(allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(datum_strategy(schema["items"]), max_size=3)
    if kind == "map":
        return st.dictionaries(st.text(max_size=8), datum_strategy(schema["values"]),
                               max_size=3)
    if kind == "record":
        return st.fixed_dictionaries({f["name"]: datum_strategy(f["type"])
                                      for f in schema["fields"]})
    raise AssertionError(f"no strategy for {schema!r}")


@st.composite
def messages(draw, event_type: str) -> bytes:
    writer = CURRENT[event_type]
    datum = draw(datum_strategy(expand_schema(writer.schema)))
    datum["envelope"]["event_type"] = event_type
    body = BytesIO()
    schemaless_writer(body, writer.parsed, datum)
    return MARKER + writer.fingerprint + body.getvalue()


def sample_message(event_type: str) -> bytes:
    writer = CURRENT[event_type]
    datum = sample_datum(expand_schema(writer.schema))
    datum["envelope"]["event_type"] = event_type
    body = BytesIO()
    schemaless_writer(body, writer.parsed, datum)
    return MARKER + writer.fingerprint + body.getvalue()


def outcome(codec: EventCodec, data: bytes) -> RecordedEvent | type[DecodeError]:
    try:
        return codec.decode(data)
    except DecodeError:
        return DecodeError


def types_of(value: Any) -> Any:
    """The value's shape with the type of every leaf, to compare beyond ``==``."""
    if isinstance(value, BaseModel):
        return (type(value), {k: types_of(v) for k, v in value.__dict__.items()},
                value.model_fields_set)
    if isinstance(value, list):
        return [types_of(v) for v in value]
    if isinstance(value, dict):
        return {k: types_of(v) for k, v in value.items()}
    return type(value), getattr(value, "tzinfo", None)


def test_every_current_event_type_has_a_generated_reader():
    plans = {p.writer.event_type: p for p in COMPILED._plans.values()
             if p.writer.version == p.current_version}
    for event_type in ALL_EVENTS:  # a reader is generated at the first message of its type
        COMPILED.decode(sample_message(event_type))
    assert set(plans) == set(ALL_EVENTS)
    assert [name for name, plan in plans.items() if plan.compiled is None] == []
    assert all(plan.compiled is None for plan in REFERENCE._plans.values())


@pytest.mark.parametrize("event_type", sorted(ALL_EVENTS))
def test_generated_reader_reads_what_fastavro_and_pydantic_read(event_type):
    @SETTINGS
    @given(messages(event_type))
    def check(data: bytes) -> None:
        expected, got = REFERENCE.decode(data), COMPILED.decode(data)
        assert got == expected
        assert types_of(got) == types_of(expected)
        assert isinstance(got.envelope.event_id, UUID)
        assert got.envelope.occurred_at.tzinfo is not None

    check()


@pytest.mark.parametrize("event_type", sorted(ALL_EVENTS))
def test_a_damaged_message_is_never_read_as_another_event(event_type):
    """Every truncation and random byte changes: wherever the reference refuses the bytes,
    the generated reader refuses them too (a DecodeError, nothing else), and wherever it
    reads an event, the generated reader reads the same event or refuses it."""
    @DAMAGE_SETTINGS
    @given(messages(event_type), st.data())
    def check(data: bytes, draws: st.DataObject) -> None:
        damaged = [data[:cut] for cut in range(10, len(data))]
        damaged.append(data + b"\x00")
        for _ in range(8):
            position = draws.draw(st.integers(10, len(data) - 1))
            byte = draws.draw(st.integers(0, 255))
            damaged.append(data[:position] + bytes([byte]) + data[position + 1:])
        for candidate in damaged:
            expected, got = outcome(REFERENCE, candidate), outcome(COMPILED, candidate)
            if expected is DecodeError:
                assert got is DecodeError
            else:
                # repr, not ==: a flipped byte can make a double NaN, which equals nothing
                assert got is DecodeError or repr(got) == repr(expected)

    check()


VIEWS = [envelope_view(reads) for reads in ((), ("occurred_at",), ("actor", "occurred_at"),
                                             ("event_id", "causation_id", "correlation_id"))]


@pytest.mark.parametrize("event_type", sorted(ALL_EVENTS))
def test_an_envelope_view_reads_its_fields_as_the_whole_envelope_does(event_type):
    """A consumer given a view (only the envelope fields it reads) gets those fields and the
    payload exactly as the reference reads them, from the generated reader that steps over
    the rest and from the reference path cut down."""
    @SETTINGS
    @given(messages(event_type))
    def check(data: bytes) -> None:
        expected = REFERENCE.decode(data)
        for view in VIEWS:
            for codec in (COMPILED, REFERENCE):
                got = codec.decode(data, view)
                assert type(got.envelope) is view
                assert got.payload == expected.payload
                assert types_of(got.payload) == types_of(expected.payload)
                assert got.envelope.model_dump() == expected.envelope.model_dump(
                    include=set(view.model_fields))
                with pytest.raises(AttributeError):
                    got.envelope.command_id  # noqa: B018 (never in these views)

    check()


# --- What only the generated reader has to get right ----------------------------------------

class Reading(EventPart):
    value: float
    tags: list[str]


class Bag(DomainEvent):
    aggregate: ClassVar[Aggregate] = EXAM
    abstract: ClassVar[bool] = True  # a throwaway event, out of the real registry
    readings: list[Reading]
    notes: dict[str, list[int]]


def test_blocks_that_give_their_size_are_read():
    """Avro lets an array or a map block say its size in bytes (a negative count, then the
    size): fastavro never writes those, other writers do."""
    schema = event_schema(Bag)
    read = compile_event_reader(schema, Envelope, Bag)
    envelope = {"event_id": str(UUID(int=1)), "event_type": "Bag", "stream_id": "exam-1",
                "stream_version": 1, "occurred_at": 0, "actor": {"user_id": "u", "role": "r"},
                "command_id": str(UUID(int=2)), "correlation_id": str(UUID(int=2)),
                "causation_id": None}
    head = BytesIO()
    schemaless_writer(head, parse_schema(expand_schema(schema)["fields"][0]["type"]), envelope)
    reading = BytesIO()
    schemaless_writer(reading, parse_schema(expand_schema(schema)["fields"][1]["type"][
        "fields"][0]["type"]["items"]), {"value": 1.5, "tags": ["a", "b"]})
    # readings: one block of -1 item and its size; notes: {"k": [7]} in sized blocks too.
    item = reading.getvalue()
    body = (head.getvalue() + b"\x01" + bytes([2 * len(item)]) + item + b"\x00"
            + b"\x01\x08" + b"\x02k" + b"\x01\x02\x0e" + b"\x00" + b"\x00")

    envelope_read, payload, end = read(body, 0, len(body))

    assert end == len(body)
    assert envelope_read.event_type == "Bag"
    assert payload == Bag(readings=[Reading(value=1.5, tags=["a", "b"])], notes={"k": [7]})


class Checked(DomainEvent):
    aggregate: ClassVar[Aggregate] = EXAM
    abstract: ClassVar[bool] = True
    minutes: Annotated[int, Field(gt=0)]


class Normalised(DomainEvent):
    aggregate: ClassVar[Aggregate] = EXAM
    abstract: ClassVar[bool] = True
    title: str

    @field_validator("title")
    @classmethod
    def strip(cls, title: str) -> str:
        return title.strip()


class ShortName(EventPart):
    name: Annotated[str, Field(max_length=5)]


class Holder(DomainEvent):
    aggregate: ClassVar[Aggregate] = EXAM
    abstract: ClassVar[bool] = True
    part: ShortName  # a constraint one level down


@pytest.mark.parametrize("event_cls", [Checked, Normalised, Holder])
def test_classes_that_validate_more_than_types_keep_the_validating_reader(event_cls):
    assert compile_event_reader(event_schema(event_cls), Envelope, event_cls) is None


def test_a_schema_that_does_not_match_its_class_gets_no_reader():
    schema = event_schema(Bag)
    schema["fields"][1]["type"]["fields"][1]["type"] = "string"  # notes: a string, not a map

    assert compile_event_reader(schema, Envelope, Bag) is None
