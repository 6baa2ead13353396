"""Full transitive compatibility: the current schema of an event type reads every older one.

Kafka keeps domain topics forever and auditors replay from offset 0, so a consumer on the
current schema meets every version ever released. Two proofs per old version: a structural
check of the Avro resolution rules (reader = current, writer = old), which names the field
that breaks, and a sample round trip through fastavro, which proves the library agrees.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from typing import Any
from uuid import UUID

from fastavro import parse_schema, schemaless_reader, schemaless_writer
from fastavro.schema import expand_schema
from fastavro.validation import validate

from schemas.catalog import SchemaCatalog, SchemaVersion

# Writer type -> reader types that can read it (Avro spec, "Schema Resolution").
_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}
_NAMED = {"record", "enum", "fixed"}
_SAMPLE_PRIMITIVES: dict[str, Any] = {
    "null": None, "boolean": True, "int": 7, "long": 7, "float": 1.5, "double": 1.5,
    "bytes": b"sample", "string": "sample",
}
_SAMPLE_LOGICAL: dict[str, Any] = {
    "timestamp-micros": datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc),
    "uuid": UUID("5b1c3a8e-0f7d-4c1e-9a53-2f0d6a4b8c71"),
}


@dataclass(frozen=True)
class Incompatibility:
    event_type: str
    writer_version: int
    reader_version: int
    problem: str

    def __str__(self) -> str:
        return (f"{self.event_type}: v{self.reader_version} cannot read "
                f"v{self.writer_version}: {self.problem}")


def catalog_incompatibilities(catalog: SchemaCatalog) -> list[Incompatibility]:
    """Every way in which a committed version is not readable by its event's current one."""
    found = []
    for event_type in catalog.event_types():
        current = catalog.current(event_type)
        for old in catalog.versions(event_type)[:-1]:
            problems = schema_incompatibilities(reader=current.schema, writer=old.schema)
            if not problems:
                problems = _round_trip_problems(reader=current, writer=old)
            found += [Incompatibility(event_type, old.version, current.version, problem)
                      for problem in problems]
    return found


def schema_incompatibilities(reader: dict[str, Any], writer: dict[str, Any]) -> list[str]:
    """Why data written with ``writer`` cannot be read with ``reader``; empty if it can."""
    problems: list[str] = []
    # Expanding inlines named references, so every node carries its full definition.
    _resolve(expand_schema(reader), expand_schema(writer), "", problems)
    return problems


def sample_datum(schema: Any) -> Any:
    """A value of an (expanded) schema, with every field present and every union non-null."""
    if isinstance(schema, list):
        branches = [branch for branch in schema if branch != "null"] or schema
        return sample_datum(branches[0])
    if isinstance(schema, str):
        return _SAMPLE_PRIMITIVES[schema]
    logical = _SAMPLE_LOGICAL.get(schema.get("logicalType"))
    if logical is not None:
        return logical
    kind = schema["type"]
    if kind == "record":
        return {field["name"]: sample_datum(field["type"]) for field in schema["fields"]}
    if kind == "enum":
        return schema["symbols"][0]
    if kind == "array":
        return [sample_datum(schema["items"])]
    if kind == "map":
        return {"key": sample_datum(schema["values"])}
    if kind == "fixed":
        return bytes(schema["size"])
    return sample_datum(kind)


def _round_trip_problems(reader: SchemaVersion, writer: SchemaVersion) -> list[str]:
    body = BytesIO()
    schemaless_writer(body, writer.parsed, sample_datum(expand_schema(writer.schema)))
    body.seek(0)
    try:
        schemaless_reader(body, writer.parsed, reader.parsed)
    except Exception as exc:  # noqa: BLE001  (any failure here is the finding to report)
        return [f"sample round trip failed: {type(exc).__name__}: {exc}"]
    return []


def _kind(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    return schema if isinstance(schema, str) else schema["type"]


def _logical_type(schema: Any) -> str | None:
    return schema.get("logicalType") if isinstance(schema, dict) else None


def _describe(schema: Any) -> str:
    if isinstance(schema, list):
        return "[" + ", ".join(_describe(branch) for branch in schema) + "]"
    kind = _kind(schema)
    if kind in _NAMED:
        return f"{kind} {schema['name']}"
    logical = _logical_type(schema)
    return f"{kind} ({logical})" if logical else kind


def _names_match(reader: dict[str, Any], writer: dict[str, Any]) -> bool:
    # As the spec and fastavro do: unqualified names, or a reader alias naming the writer.
    unqualified = writer["name"].rsplit(".", 1)[-1]
    aliases = reader.get("aliases", [])
    return (reader["name"].rsplit(".", 1)[-1] == unqualified
            or writer["name"] in aliases or unqualified in aliases)


def _matches(reader: Any, writer: Any) -> bool:
    """Whether a non-union writer may be resolved against a non-union reader at all."""
    reader_kind, writer_kind = _kind(reader), _kind(writer)
    if reader_kind != writer_kind:
        return reader_kind in _PROMOTIONS.get(writer_kind, ())
    if reader_kind in _NAMED:
        return _names_match(reader, writer)
    return True


def _resolve(reader: Any, writer: Any, path: str, problems: list[str]) -> None:
    def fail(problem: str) -> None:
        problems.append(f"{path or 'the event record'}: {problem}")

    if isinstance(writer, list):
        # Full compatibility: every branch the writer could have chosen must be readable.
        for branch in writer:
            _resolve(reader, branch, path, problems)
        return
    if isinstance(reader, list):
        # The spec picks the first reader branch that matches the writer.
        branch = next((branch for branch in reader if _matches(branch, writer)), None)
        if branch is None:
            fail(f"writer {_describe(writer)} matches no branch of reader {_describe(reader)}")
        else:
            _resolve(branch, writer, path, problems)
        return
    if not _matches(reader, writer):
        fail(f"writer {_describe(writer)} cannot be read as {_describe(reader)}")
        return
    if _logical_type(reader) != _logical_type(writer):
        # The spec lets resolution ignore logical types, but the number would change meaning.
        fail(f"logical type changed from {_describe(writer)} to {_describe(reader)}")
        return
    kind = _kind(reader)
    if kind == "record":
        _resolve_record(reader, writer, path, problems)
    elif kind == "enum":
        removed = [symbol for symbol in writer["symbols"] if symbol not in reader["symbols"]]
        if removed and "default" not in reader:
            fail(f"enum {reader['name']} lost symbols {removed} and has no default "
                 f"to read them as")
    elif kind == "array":
        _resolve(reader["items"], writer["items"], f"{path}[]", problems)
    elif kind == "map":
        _resolve(reader["values"], writer["values"], f"{path}{{}}", problems)
    elif kind == "fixed" and reader["size"] != writer["size"]:
        fail(f"fixed {reader['name']} changed size from {writer['size']} to {reader['size']}")


def _resolve_record(reader: dict[str, Any], writer: dict[str, Any], path: str,
                    problems: list[str]) -> None:
    writer_fields = {field["name"]: field for field in writer["fields"]}
    for field in reader["fields"]:
        field_path = f"{path}.{field['name']}" if path else field["name"]
        names = [field["name"], *field.get("aliases", [])]
        written = next((writer_fields[name] for name in names if name in writer_fields), None)
        if written is not None:
            _resolve(field["type"], written["type"], field_path, problems)
        elif "default" not in field:
            problems.append(f"{field_path}: new field without a default, so data written "
                            f"before it existed cannot be read")
        else:
            # The reader fills this field with its default, which must be of the field's type;
            # a union's default, of its first branch (Avro spec, "Complex Types: Unions").
            # fastavro's parser accepts a default of any branch, and any enum symbol.
            default_type = field["type"][0] if isinstance(field["type"], list) else field["type"]
            if not validate(field["default"], parse_schema(default_type), raise_errors=False):
                problems.append(f"{field_path}: default {field['default']!r} is not of type "
                                f"{_describe(default_type)}")
