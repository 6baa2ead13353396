"""The Avro contracts: generation, catalog, single-object codec, upcasters, compatibility."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid4

import pytest
from fastavro import schemaless_writer
from fastavro.schema import expand_schema
from pydantic import Field

from schemas.__main__ import check, generate
from schemas.avro_gen import FormerNames, UnmappedType, event_schema, render_schema
from schemas.catalog import (
    SCHEMA_ROOT, CatalogError, SchemaCatalog, default_catalog, schema_fingerprint, schema_path,
)
from schemas.codec import DecodeError, EncodeError, EventCodec, decode, encode, peek_event_type
from schemas.compat import catalog_incompatibilities, sample_datum, schema_incompatibilities
from schemas.envelope import Actor, Aggregate, DomainEvent, RecordedEvent, new_envelope
from schemas.events import ALL_EVENTS
from schemas.events.exam import EXAM, ExamDrafted
from schemas.upcasters import UpcasterRegistry

TEACHER = Actor(user_id="teacher-1", role="teacher")


def sample_payload(event_cls: type[DomainEvent], optionals: bool) -> DomainEvent:
    """Every field filled from the event's own schema; optional ones left out on request."""
    values = sample_datum(expand_schema(event_schema(event_cls)))["payload"]
    if not optionals:
        values = {name: value for name, value in values.items()
                  if event_cls.model_fields[name].is_required()}
    return event_cls.model_validate(values)


def recorded(payload: DomainEvent, **envelope: Any) -> RecordedEvent:
    envelope.setdefault("causation_id", uuid4())
    return RecordedEvent(
        envelope=new_envelope(payload, stream_id="exam-e1", stream_version=3, actor=TEACHER,
                              command_id=uuid4(), **envelope),
        payload=payload)


def exam_drafted() -> RecordedEvent:
    return recorded(ExamDrafted(
        exam_id="e1", teacher_id="teacher-1", title="Linear algebra, midterm",
        description="Chapters 1-4", instructions="No notes.", duration_minutes=90,
        window_opens_at=datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)))


# --- Codec ----------------------------------------------------------------------------------

@pytest.mark.parametrize("optionals", [True, False], ids=["all-fields", "required-only"])
@pytest.mark.parametrize("event_type", sorted(ALL_EVENTS))
def test_every_event_type_round_trips(event_type, optionals):
    event = recorded(sample_payload(ALL_EVENTS[event_type], optionals))

    decoded = decode(encode(event))

    assert decoded == event
    assert type(decoded.payload) is ALL_EVENTS[event_type]
    assert decoded.envelope.occurred_at.utcoffset() == timedelta(0)
    assert isinstance(decoded.envelope.event_id, UUID)
    assert peek_event_type(encode(event)) == event_type


def test_timestamps_come_back_as_aware_utc():
    paris = timezone(timedelta(hours=1))
    event = recorded(exam_drafted().payload, occurred_at=datetime(2025, 3, 10, 10, 0, tzinfo=paris))

    occurred_at = decode(encode(event)).envelope.occurred_at

    assert occurred_at == datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)
    assert occurred_at.tzinfo == timezone.utc


def test_naive_timestamps_are_written_as_utc():
    # fastavro treats a naive datetime as UTC; what comes back is aware.
    event = recorded(exam_drafted().payload, occurred_at=datetime(2025, 3, 10, 9, 0))

    occurred_at = decode(encode(event)).envelope.occurred_at

    assert occurred_at == datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)


def test_header_is_marker_and_writer_fingerprint():
    data = encode(exam_drafted())

    current = default_catalog().current("ExamDrafted")
    assert data[:2] == b"\xc3\x01"
    assert data[2:10] == current.fingerprint
    assert data[2:10] == schema_fingerprint(json.loads(current.path.read_text()))


def test_fingerprint_is_little_endian_crc64_avro():
    # Test vector from the Avro project (share/test/data/schema-tests.txt): "null".
    assert schema_fingerprint("null") == (7195948357588979594).to_bytes(8, "little")


def test_unknown_fingerprint_is_a_decode_error():
    data = encode(exam_drafted())

    with pytest.raises(DecodeError, match="unknown writer schema fingerprint 0{16}"):
        decode(data[:2] + bytes(8) + data[10:])


def test_bad_marker_is_a_decode_error():
    data = encode(exam_drafted())

    with pytest.raises(DecodeError, match="not an Avro single-object message.*expected c3 01"):
        decode(b"\x00\x01" + data[2:])
    with pytest.raises(DecodeError, match="not an Avro single-object message"):
        peek_event_type(b"")


def test_truncated_header_is_a_decode_error():
    with pytest.raises(DecodeError, match="truncated header"):
        decode(encode(exam_drafted())[:6])


def test_truncated_body_is_a_decode_error():
    data = encode(exam_drafted())

    with pytest.raises(DecodeError, match="ExamDrafted v1: truncated or corrupt body"):
        decode(data[:-5])


def test_trailing_bytes_are_a_decode_error():
    with pytest.raises(DecodeError, match="ExamDrafted v1: 1 bytes left after the body"):
        decode(encode(exam_drafted()) + b"\x00")


def test_envelope_naming_another_event_type_is_a_decode_error():
    current = default_catalog().current("ExamDrafted")
    datum = sample_datum(expand_schema(current.schema))
    datum["envelope"]["event_type"] = "ExamPublished"
    body = BytesIO()
    schemaless_writer(body, current.parsed, datum)

    with pytest.raises(DecodeError, match="envelope says ExamPublished"):
        decode(b"\xc3\x01" + current.fingerprint + body.getvalue())


def test_envelope_and_payload_must_agree_to_encode():
    event = exam_drafted()
    mislabelled = RecordedEvent(
        envelope=event.envelope.model_copy(update={"event_type": "ExamPublished"}),
        payload=event.payload)

    with pytest.raises(EncodeError, match="envelope says ExamPublished"):
        encode(mislabelled)


# --- Committed schemas ----------------------------------------------------------------------

@pytest.mark.parametrize("event_type", sorted(ALL_EVENTS))
def test_committed_current_schema_matches_the_class(event_type):
    event_cls = ALL_EVENTS[event_type]
    path = schema_path(SCHEMA_ROOT, event_cls.aggregate.name, event_type, event_cls.schema_version)

    assert path.read_text(encoding="utf-8") == render_schema(event_schema(event_cls)), (
        f"{event_type} drifted from {path}: bump schema_version and `python -m schemas generate`")
    assert default_catalog().current(event_type).version == event_cls.schema_version


def test_every_committed_version_is_readable_by_the_current_one():
    catalog = default_catalog()

    assert catalog_incompatibilities(catalog) == []
    assert set(catalog.event_types()) == set(ALL_EVENTS)


def test_every_committed_version_decodes_into_the_current_class():
    catalog = default_catalog()
    for schema_version in catalog:
        datum = sample_datum(expand_schema(schema_version.schema))
        datum["envelope"]["event_type"] = schema_version.event_type
        body = BytesIO()
        schemaless_writer(body, schema_version.parsed, datum)

        event = decode(b"\xc3\x01" + schema_version.fingerprint + body.getvalue())

        assert type(event.payload) is ALL_EVENTS[schema_version.event_type]


def test_check_passes_on_the_committed_tree():
    assert check(SCHEMA_ROOT, ALL_EVENTS) == []


def test_check_names_the_event_that_drifted(tmp_path):
    assert generate(tmp_path, ALL_EVENTS) == []
    drafted = schema_path(tmp_path, "exam", "ExamDrafted", 1)
    drafted.write_text(drafted.read_text().replace('"title"', '"heading"'))

    problems = check(tmp_path, ALL_EVENTS)

    assert len(problems) == 1
    assert problems[0].startswith("ExamDrafted: drift:")


def test_generate_refuses_to_change_a_released_version(tmp_path):
    assert generate(tmp_path, ALL_EVENTS) == []
    drafted = schema_path(tmp_path, "exam", "ExamDrafted", 1)
    drafted.write_text(drafted.read_text().replace('"title"', '"heading"'))
    tampered = drafted.read_text()

    refusals = generate(tmp_path, ALL_EVENTS)

    assert len(refusals) == 1
    assert "ExamDrafted" in refusals[0] and "bump ExamDrafted.schema_version to 2" in refusals[0]
    assert drafted.read_text() == tampered


def test_generator_refuses_unmapped_types():
    class ExamGraded(DomainEvent):
        aggregate: ClassVar[Aggregate] = EXAM
        abstract: ClassVar[bool] = True  # a throwaway type: stays out of the registry
        scores: set[int]

    with pytest.raises(UnmappedType, match=r"ExamGraded\.scores: no Avro mapping"):
        event_schema(ExamGraded)


# --- Compatibility --------------------------------------------------------------------------

def exam_record(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "soems.exam.ExamScheduled",
            "fields": [{"name": "exam_id", "type": "string"}, *fields]}


STATUS_V1 = {"type": "enum", "name": "soems.exam.ExamStatus",
             "symbols": ["draft", "published", "archived"]}
STATUS_V2 = {**STATUS_V1, "symbols": ["draft", "published"]}


@pytest.mark.parametrize("writer, reader, problem", [
    (exam_record(), exam_record({"name": "seats", "type": "long"}),
     "seats: new field without a default"),
    (exam_record({"name": "seats", "type": "long"}),
     exam_record({"name": "seats", "type": "int"}),
     "seats: writer long cannot be read as int"),
    (exam_record({"name": "status", "type": STATUS_V1}),
     exam_record({"name": "status", "type": STATUS_V2}),
     "status: enum soems.exam.ExamStatus lost symbols ['archived']"),
    (exam_record({"name": "proctor_id", "type": ["null", "string"], "default": None}),
     exam_record({"name": "proctor_id", "type": "string"}),
     "proctor_id: writer null cannot be read as string"),
    (exam_record(), exam_record({"name": "seats", "type": ["null", "long"], "default": 30}),
     "seats: default 30 is not of type null"),
    (exam_record(), exam_record({"name": "status", "type": STATUS_V1, "default": "graded"}),
     "status: default 'graded' is not of type enum soems.exam.ExamStatus"),
    (exam_record({"name": "opens_at", "type": {"type": "long", "logicalType": "timestamp-micros"}}),
     exam_record({"name": "opens_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}),
     "opens_at: logical type changed"),
], ids=["field-without-default", "long-to-int", "enum-symbol-removed", "optional-to-required",
        "union-default-not-first-branch", "enum-default-not-a-symbol", "logical-type-changed"])
def test_compat_rejects_bad_evolutions(writer, reader, problem):
    problems = schema_incompatibilities(reader=reader, writer=writer)

    assert any(found.startswith(problem) for found in problems), problems


@pytest.mark.parametrize("writer, reader", [
    (exam_record(), exam_record({"name": "seats", "type": "long", "default": 30})),
    (exam_record({"name": "seats", "type": "int"}), exam_record({"name": "seats", "type": "long"})),
    (exam_record(), exam_record({"name": "proctor_id", "type": ["null", "string"],
                                 "default": None})),
    (exam_record({"name": "seats", "type": "long"}),
     exam_record({"name": "seats", "type": ["null", "long"], "default": None})),
    (exam_record({"name": "status", "type": STATUS_V1}),
     exam_record({"name": "status", "type": {**STATUS_V2, "default": "draft"}})),
    (exam_record({"name": "seats", "type": "long"}),
     exam_record({"name": "capacity", "aliases": ["seats"], "type": "long"})),
    (exam_record({"name": "tags", "type": {"type": "array", "items": "int"}}),
     exam_record({"name": "tags", "type": {"type": "array", "items": "double"}})),
], ids=["field-with-default", "int-to-long", "new-optional", "required-to-optional",
        "enum-symbol-removed-with-default", "renamed-with-alias", "array-item-promotion"])
def test_compat_accepts_good_evolutions(writer, reader):
    assert schema_incompatibilities(reader=reader, writer=writer) == []


def test_catalog_compat_names_the_event_and_versions(tmp_path):
    (tmp_path / "exam").mkdir()
    envelope = event_schema(ExamDrafted)["fields"][0]
    for version, seats in [(1, "long"), (2, "int")]:
        schema = {"type": "record", "name": "soems.exam.ExamScheduled", "fields": [
            envelope, {"name": "payload", "type": exam_record({"name": "seats", "type": seats})
                       | {"name": "soems.exam.ExamScheduledPayload"}}]}
        schema_path(tmp_path, "exam", "ExamScheduled", version).write_text(json.dumps(schema))

    [problem] = catalog_incompatibilities(SchemaCatalog.from_directory(tmp_path))

    assert str(problem) == ("ExamScheduled: v2 cannot read v1: payload.seats: "
                            "writer long cannot be read as int")


def test_catalog_refuses_versions_that_share_a_fingerprint(tmp_path):
    (tmp_path / "exam").mkdir()
    schema = event_schema(ExamDrafted)
    schema_path(tmp_path, "exam", "ExamDrafted", 1).write_text(json.dumps(schema))
    # Only a default changed: the parsing canonical form, and so the fingerprint, is the same.
    relaxed = copy.deepcopy(schema)
    relaxed["fields"][1]["type"]["fields"][5]["default"] = 60
    schema_path(tmp_path, "exam", "ExamDrafted", 2).write_text(json.dumps(relaxed))

    with pytest.raises(CatalogError, match="same fingerprint"):
        SchemaCatalog.from_directory(tmp_path)


# --- Upcasters ------------------------------------------------------------------------------

class ExamTimed(DomainEvent):
    """v2 of a throwaway event: v1 had ``duration`` in minutes, v2 counts seconds."""

    aggregate: ClassVar[Aggregate] = EXAM
    schema_version: ClassVar[int] = 2
    abstract: ClassVar[bool] = True  # stays out of the real registry; the test codec gets it
    exam_id: str
    duration_seconds: Annotated[int, FormerNames("duration"), Field(gt=0)]
    grace_seconds: int = 0


@pytest.fixture
def timed_catalog(tmp_path: Path) -> SchemaCatalog:
    v2 = event_schema(ExamTimed)
    v1 = copy.deepcopy(v2)
    v1["fields"][1]["type"]["fields"] = [{"name": "exam_id", "type": "string"},
                                         {"name": "duration", "type": "long"}]
    for version, schema in [(1, v1), (2, v2)]:
        path = schema_path(tmp_path, "exam", "ExamTimed", version)
        path.parent.mkdir(exist_ok=True)
        path.write_text(render_schema(schema))
    return SchemaCatalog.from_directory(tmp_path)


@pytest.fixture
def timed_codec(timed_catalog: SchemaCatalog) -> EventCodec:
    upcasters = UpcasterRegistry()

    @upcasters.register("ExamTimed", from_version=1)
    def minutes_to_seconds(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "duration_seconds": payload["duration_seconds"] * 60}

    return EventCodec(timed_catalog, upcasters, event_classes={"ExamTimed": ExamTimed})


def timed_v1_message(catalog: SchemaCatalog, minutes: int) -> bytes:
    v1 = catalog.version("ExamTimed", 1)
    datum = sample_datum(expand_schema(v1.schema))
    datum["envelope"]["event_type"] = "ExamTimed"
    datum["payload"] = {"exam_id": "e1", "duration": minutes}
    body = BytesIO()
    schemaless_writer(body, v1.parsed, datum)
    return b"\xc3\x01" + v1.fingerprint + body.getvalue()


def test_old_payload_is_upcast_to_the_current_class(timed_catalog, timed_codec):
    event = timed_codec.decode(timed_v1_message(timed_catalog, minutes=90))

    assert event.payload == ExamTimed(exam_id="e1", duration_seconds=5400, grace_seconds=0)
    assert catalog_incompatibilities(timed_catalog) == []


def test_current_payload_is_not_upcast(timed_codec):
    event = recorded(ExamTimed(exam_id="e1", duration_seconds=5400))

    assert timed_codec.decode(timed_codec.encode(event)) == event


def test_event_without_a_committed_schema_is_an_encode_error():
    with pytest.raises(EncodeError, match="ExamTimed v2 has no committed schema"):
        encode(recorded(ExamTimed(exam_id="e1", duration_seconds=5400)))


def test_payload_failing_validation_is_a_decode_error(timed_catalog, timed_codec):
    with pytest.raises(DecodeError, match="(?s)ExamTimed v1: invalid event.*greater than 0"):
        timed_codec.decode(timed_v1_message(timed_catalog, minutes=0))


def test_upcasters_run_in_version_order():
    upcasters = UpcasterRegistry()
    upcasters.register("ExamTimed", from_version=2)(lambda p: {**p, "steps": p["steps"] + [2]})
    upcasters.register("ExamTimed", from_version=1)(lambda p: {**p, "steps": p["steps"] + [1]})

    assert upcasters.upcast("ExamTimed", {"steps": []}, from_version=1, to_version=3) == {
        "steps": [1, 2]}
    assert upcasters.upcast("ExamTimed", {"steps": []}, from_version=2, to_version=3) == {
        "steps": [2]}
    with pytest.raises(ValueError, match="already has an upcaster from v1"):
        upcasters.register("ExamTimed", from_version=1)(lambda p: p)


def _uuids_as_text(value):
    if isinstance(value, dict):
        return {k: _uuids_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_uuids_as_text(v) for v in value]
    return str(value) if isinstance(value, UUID) else value


def _optional_fields_empty(datum: dict, schema: dict) -> dict:
    """The datum with every nullable field of its records set to None."""
    out = dict(datum)
    for field in schema["fields"]:
        kind = field["type"]
        if isinstance(kind, list) and "null" in kind:
            out[field["name"]] = None
        elif isinstance(kind, dict) and kind.get("type") == "record":
            out[field["name"]] = _optional_fields_empty(datum[field["name"]], kind)
    return out


def test_the_plain_reading_reads_what_fastavros_logical_types_read():
    """decode reads current-version messages without fastavro's logical types (UUIDs as
    text, timestamps converted by the codec): for every event type, with every optional
    field filled and with every one empty, it reads exactly what the logical reading does."""
    from fastavro import schemaless_reader

    from schemas.codec import _convert_timestamps, default_codec

    plans = [plan for plan in default_codec()._plans.values() if plan.plain is not None]
    assert {plan.writer.event_type for plan in plans} == set(ALL_EVENTS)
    for plan in plans:
        expanded = expand_schema(plan.writer.schema)
        full = sample_datum(expanded)
        for datum in (full, _optional_fields_empty(full, expanded)):
            body = BytesIO()
            schemaless_writer(body, plan.writer.parsed, datum)
            logical = schemaless_reader(BytesIO(body.getvalue()), plan.writer.parsed, None)
            plain = schemaless_reader(BytesIO(body.getvalue()), plan.plain.parsed, None)
            _convert_timestamps(plain, plan.plain.timestamps)
            assert _uuids_as_text(plain) == _uuids_as_text(logical), plan.writer.event_type


def test_a_question_revision_written_before_v2_reads_with_v2s_defaults():
    """QuestionRevised v1 (before image descriptions and restores) is still in the log."""
    v1 = default_catalog().version("QuestionRevised", 1)
    datum = sample_datum(expand_schema(v1.schema))
    datum["envelope"]["event_type"] = "QuestionRevised"
    datum["payload"]["content"]["media_ids"] = ["m-1"]
    body = BytesIO()
    schemaless_writer(body, v1.parsed, datum)

    event = decode(b"\xc3\x01" + v1.fingerprint + body.getvalue())

    assert event.payload.restored_from is None
    assert event.payload.content.media_ids == ["m-1"]
    assert event.payload.content.media_alt == {}
