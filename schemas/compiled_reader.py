"""Readers generated per committed schema: Avro bytes straight to the event classes.

fastavro's reader walks the schema dict for every field of every message (measured on this
box: about 0.6 µs per long and 0.9 µs per string, 25-35 µs for an exam event), and pydantic then
validates what it read again (another 10-20 µs). Replaying a year of events spends most of its
time there. For the current version of each event type, this module writes a Python function
that reads exactly that schema, field after field, and builds the envelope and payload
instances directly.

Building without validation is exact only where validation could not change or refuse anything
that Avro's types already guarantee, so a reader is generated only when:
- every Avro type maps onto its field's annotation the way ``schemas.avro_gen`` writes it
  (string/str, string+uuid/UUID, long/int, long+timestamp-micros/datetime, double/float,
  boolean/bool, array/list, map/dict[str, X], record/model, [null, X]/X | None);
- no class involved has validators, field constraints, private attributes or a
  ``model_post_init``, and none keeps extra fields.
Anything else (an old writer version, a constrained field) keeps the fastavro-and-pydantic path.
UUIDs are still parsed by pydantic (0.6 µs, against 1.5 µs for ``uuid.UUID(text)``).
fastavro stays the reference: tests compare both readings over every committed schema,
with random data and corrupted bytes.
"""
from __future__ import annotations

import struct
import types
import typing
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from pydantic import BaseModel, TypeAdapter

# (envelope, payload, position after the body)
EventReader = Callable[[bytes, int, int], tuple[BaseModel, BaseModel, int]]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_UUID_ADAPTER = TypeAdapter(UUID)  # parses and checks a UUID's text, in Rust
_new = object.__new__
_set = object.__setattr__
# The slots every pydantic model has, set through their descriptors (a quarter faster than
# object.__setattr__ by name).
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


class _NotCompilable(Exception):
    """The schema or a class has something the generated reader would not read exactly."""


def _read_long(data: bytes, pos: int) -> tuple[int, int]:
    """A zig-zag varint of at most 10 bytes (Avro long), from ``pos``."""
    b = data[pos]
    pos += 1
    n = b & 0x7F
    shift = 7
    while b & 0x80:
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
    if n >> 64:  # fastavro would wrap it round; a long is 64 bits, so the bytes are damaged
        raise ValueError("varint beyond 64 bits")
    return (n >> 1) ^ -(n & 1), pos


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    n, pos = _read_long(data, pos)
    if n < 0:
        raise ValueError(f"negative length {n}")
    return n, pos


_DOUBLE = struct.Struct("<d").unpack_from


def plain_model(cls: type[BaseModel]) -> bool:
    """Whether instances of ``cls`` can be built from Avro-typed values without validating."""
    decorators = cls.__pydantic_decorators__
    if (decorators.validators or decorators.field_validators or decorators.root_validators
            or decorators.model_validators):
        return False
    if cls.__private_attributes__ or cls.__pydantic_post_init__ is not None:
        return False
    if cls.model_config.get("extra") == "allow" or getattr(cls, "__pydantic_root_model__", False):
        return False
    return all(not info.metadata for info in cls.model_fields.values())


class _Generator:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {
            "_read_long": _read_long, "_read_length": _read_length,
            "_uuid": _UUID_ADAPTER.validate_python,
            "_EPOCH": _EPOCH, "_timedelta": timedelta, "_double": _DOUBLE, "_new": _new,
            "_set": _set, "_set_fields_set": _set_fields_set, "_set_extra": _set_extra,
            "_set_private": _set_private}
        self.records: dict[str, str] = {}  # Avro full name -> reader function name
        self.schemas: dict[str, dict[str, Any]] = {}  # named records, for references
        self.counter = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}{self.counter}"

    def record_reader(self, schema: Any, cls: Any, partial: bool = False) -> str:
        """The name of the function reading record ``schema`` into ``cls``, generated once;
        with ``partial``, ``cls`` may have fewer fields than the record: the others are
        stepped over, never decoded (an envelope view, ``schemas.envelope.envelope_view``)."""
        if isinstance(schema, str):
            if schema not in self.schemas:
                raise _NotCompilable(f"unknown named type {schema}")
            schema = self.schemas[schema]
        if not (isinstance(schema, dict) and schema.get("type") == "record"):
            raise _NotCompilable(f"not a record: {schema!r}")
        name = schema["name"]
        self.schemas.setdefault(name, schema)
        if name in self.records:
            return self.records[name]
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or not plain_model(cls):
            raise _NotCompilable(f"{name}: {cls!r} is not a plain model")
        fields = [f["name"] for f in schema["fields"]]
        if not (set(cls.model_fields) <= set(fields) if partial
                else sorted(fields) == sorted(cls.model_fields)):
            raise _NotCompilable(f"{name}: fields differ from {cls.__name__}'s")
        function = self.fresh("_record")
        if not partial:  # a partial reading is not the record's reading for other uses
            self.records[name] = function
        class_name = self.fresh("_class")
        self.names[class_name] = cls
        body: list[str] = []
        values = []
        for field in schema["fields"]:
            if field["name"] not in cls.model_fields:
                body += self.skip(field["type"], "    ")
                continue
            target = self.fresh("v")
            values.append((field["name"], target))
            body += self.value(field["type"], cls.model_fields[field["name"]].annotation,
                               target, "    ")
        items = ", ".join(f"{name!r}: {target}" for name, target in values)
        names = ", ".join(repr(name) for name, _ in values)
        lines = [f"def {function}(data, pos, size):", *body,
                 f"    o = _new({class_name})",
                 f"    _set(o, '__dict__', {{{items}}})",
                 f"    _set_fields_set(o, {{{names}}})" if names else
                 "    _set_fields_set(o, set())",
                 "    _set_extra(o, None)",
                 "    _set_private(o, None)",
                 "    return o, pos", ""]
        self.lines += lines
        return function

    def value(self, schema: Any, annotation: Any, target: str, indent: str) -> list[str]:
        """Lines reading one value of ``schema`` (typed ``annotation``) into ``target``."""
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if isinstance(schema, list):
            return self.optional(schema, annotation, origin, args, target, indent)
        if isinstance(schema, str) and schema in self.schemas:
            schema = self.schemas[schema]
        kind = schema if isinstance(schema, str) else schema.get("type")
        logical = None if isinstance(schema, str) else schema.get("logicalType")
        i = indent
        if kind == "string" and (logical, annotation) in ((None, str), ("uuid", UUID)):
            lines = self.string(target, i)
            return lines + ([f"{i}{target} = _uuid({target})"] if logical == "uuid" else [])
        if kind == "long" and (logical, annotation) in ((None, int),
                                                        ("timestamp-micros", datetime)):
            lines = self.long(target, i)
            if logical:  # microseconds since the epoch, as an aware UTC datetime
                lines.append(f"{i}{target} = _EPOCH + _timedelta(0, 0, {target})")
            return lines
        if logical is not None:
            raise _NotCompilable(f"logical type {logical} for {annotation!r}")
        if kind == "double" and annotation is float:
            return [f"{i}{target} = _double(data, pos)[0]", f"{i}pos += 8"]
        if kind == "boolean" and annotation is bool:
            return [f"{i}{target} = data[pos] != 0", f"{i}pos += 1"]
        if kind == "record":
            return [f"{i}{target}, pos = {self.record_reader(schema, annotation)}(data, pos, "
                    f"size)"]
        if kind == "array" and origin is list:
            item = self.fresh("item")
            return [f"{i}{target} = []", *self.blocks(i),
                    *self.value(schema["items"], args[0], item, i + "        "),
                    f"{i}        {target}.append({item})"]
        if kind == "map" and origin is dict and args[0] is str:
            key, item = self.fresh("key"), self.fresh("item")
            return [f"{i}{target} = {{}}", *self.blocks(i),
                    *self.string(key, i + "        "),
                    *self.value(schema["values"], args[1], item, i + "        "),
                    f"{i}        {target}[{key}] = {item}"]
        raise _NotCompilable(f"Avro {schema!r} as {annotation!r}")

    def skip(self, schema: Any, indent: str) -> list[str]:
        """Lines stepping over one value of ``schema`` without building it (lengths and
        union branches are still checked, so a damaged body fails as it would when read)."""
        i = indent
        if isinstance(schema, str) and schema in self.schemas:
            schema = self.schemas[schema]
        if isinstance(schema, list):
            lines = [f"{i}b = data[pos]", f"{i}pos += 1"]
            for index, branch in enumerate(schema):
                lines += [f"{i}{'if' if index == 0 else 'elif'} b == {2 * index}:",
                          *(self.skip(branch, i + "    ") or [f"{i}    pass"])]
            return lines + [f"{i}else:",
                            f"{i}    raise ValueError(f'union index byte {{b}} out of range')"]
        kind = schema if isinstance(schema, str) else schema.get("type")
        if kind == "null":
            return []
        if kind in ("string", "bytes"):  # a length below 64 is one byte: stepped inline
            return [f"{i}b = data[pos]", f"{i}if b < 0x80 and not b & 1:",
                    f"{i}    pos += 1 + (b >> 1)", f"{i}else:",
                    f"{i}    n, pos = _read_length(data, pos)", f"{i}    pos += n",
                    f"{i}if pos > size:", f"{i}    raise EOFError(f'a string past the end')"]
        if kind in ("long", "int"):
            return [f"{i}if data[pos] < 0x80:", f"{i}    pos += 1", f"{i}else:",
                    f"{i}    _, pos = _read_long(data, pos)"]
        if kind == "double":
            return [f"{i}pos += 8"]
        if kind == "float":
            return [f"{i}pos += 4"]
        if kind == "boolean":
            return [f"{i}pos += 1"]
        if kind == "record":
            self.schemas.setdefault(schema["name"], schema)
            return [line for f in schema["fields"] for line in self.skip(f["type"], i)]
        if kind == "array":
            return [*self.blocks(i), *(self.skip(schema["items"], i + "        ")
                                       or [f"{i}        pass"])]
        if kind == "map":
            return [*self.blocks(i), *self.skip("string", i + "        "),
                    *self.skip(schema["values"], i + "        ")]
        raise _NotCompilable(f"cannot step over Avro {schema!r}")

    def optional(self, schema: list, annotation: Any, origin: Any, args: tuple,
                 target: str, indent: str) -> list[str]:
        others = [a for a in args if a is not type(None)]
        if (origin not in (types.UnionType, typing.Union) or len(args) != 2 or len(others) != 1
                or len(schema) != 2 or "null" not in schema):
            raise _NotCompilable(f"union {schema!r} as {annotation!r}")
        null_index = schema.index("null")
        other = schema[1 - null_index]
        i = indent
        # A union's branch index is a zig-zag varint: index 0 is the byte 0, index 1 the byte 2.
        return [f"{i}b = data[pos]", f"{i}pos += 1",
                f"{i}if b == {2 * null_index}:", f"{i}    {target} = None",
                f"{i}elif b == {2 * (1 - null_index)}:",
                *self.value(other, others[0], target, i + "    "),
                f"{i}else:", f"{i}    raise ValueError(f'union index byte {{b}} out of range')"]

    def blocks(self, i: str) -> list[str]:
        """The loop over an array's or a map's blocks; the caller adds the item lines."""
        count = self.fresh("count")
        return [f"{i}while True:", *self.long(count, i + "    "),
                f"{i}    if {count} == 0:", f"{i}        break",
                f"{i}    if {count} < 0:  # a block that also gives its size in bytes",
                f"{i}        {count} = -{count}", f"{i}        _, pos = _read_long(data, pos)",
                f"{i}    for _ in range({count}):"]

    @staticmethod
    def long(target: str, i: str) -> list[str]:
        # Most longs (lengths, versions, small numbers) fit one byte: read those inline.
        return [f"{i}b = data[pos]", f"{i}if b < 0x80:",
                f"{i}    {target} = (b >> 1) ^ -(b & 1)", f"{i}    pos += 1",
                f"{i}else:", f"{i}    {target}, pos = _read_long(data, pos)"]

    @staticmethod
    def string(target: str, i: str) -> list[str]:
        return [f"{i}b = data[pos]", f"{i}if b < 0x80 and not b & 1:",
                f"{i}    n = b >> 1", f"{i}    pos += 1",
                f"{i}else:", f"{i}    n, pos = _read_length(data, pos)",
                f"{i}end = pos + n", f"{i}if end > size:",
                f"{i}    raise EOFError(f'a string of {{n}} bytes at {{pos}} of {{size}}')",
                f"{i}{target} = data[pos:end].decode()", f"{i}pos = end"]


def compile_event_reader(schema: dict[str, Any], envelope_cls: type[BaseModel],
                         payload_cls: type[BaseModel],
                         envelope_view: bool = False) -> EventReader | None:
    """A reader of messages written with ``schema`` (an event record: envelope, payload), or
    None when something in it must keep the validating path. With ``envelope_view``,
    ``envelope_cls`` may hold only some of the envelope's fields; the rest are stepped over."""
    fields = schema.get("fields", [])
    if [f["name"] for f in fields] != ["envelope", "payload"]:
        return None
    generator = _Generator()
    try:
        envelope = generator.record_reader(fields[0]["type"], envelope_cls,
                                           partial=envelope_view)
        payload = generator.record_reader(fields[1]["type"], payload_cls)
    except _NotCompilable:
        return None
    source = "\n".join([*generator.lines, "def read_event(data, pos, size):",
                        f"    envelope, pos = {envelope}(data, pos, size)",
                        f"    payload, pos = {payload}(data, pos, size)",
                        "    return envelope, payload, pos", ""])
    namespace = dict(generator.names)
    exec(compile(source, f"<reader of {schema.get('name')}>", "exec"), namespace)
    reader = namespace["read_event"]
    reader.source = source  # for debugging: print(reader.source)
    return reader


def trusted(cls: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """An instance of a plain model from values already of its fields' types."""
    o = _new(cls)
    _set(o, "__dict__", values)
    _set_fields_set(o, set(values))
    _set_extra(o, None)
    _set_private(o, None)
    return o
