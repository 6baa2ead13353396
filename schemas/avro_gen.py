"""Avro schemas generated from the pydantic event classes.

The Python classes are the single definition of an event; the committed ``.avsc`` files are
what they generate, frozen per released version. An event record is named
``soems.<aggregate>.<EventType>`` and has two fields: ``envelope`` (record ``soems.Envelope``)
and ``payload`` (record ``soems.<aggregate>.<EventType>Payload``). Record names take part in
the fingerprint, so every event type gets its own fingerprint even when two payloads share a
shape.
"""
from __future__ import annotations

import json
import types
import typing
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from schemas.envelope import DomainEvent, Envelope

ENVELOPE_NAMESPACE = "soems"

_PRIMITIVES: dict[type, Any] = {
    str: "string",
    int: "long",
    float: "double",
    bool: "boolean",
    datetime: {"type": "long", "logicalType": "timestamp-micros"},
    UUID: {"type": "string", "logicalType": "uuid"},
}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


class UnmappedType(TypeError):
    """A field type with no Avro mapping: refuse rather than guess a wire format."""


class FormerNames:
    """Marks a renamed field: ``duration_seconds: Annotated[int, FormerNames("duration_minutes")]``.

    The old names become the Avro field's aliases, so data written before the rename resolves
    into the new field (an upcaster then fixes the value if its meaning changed too).
    """

    def __init__(self, *names: str):
        self.names = names


def event_record_name(event_cls: type[DomainEvent]) -> str:
    return f"soems.{event_cls.aggregate.name}.{event_cls.event_type()}"


def event_schema(event_cls: type[DomainEvent]) -> dict[str, Any]:
    """The Avro schema of one event type, as the JSON-ready dict committed to schemas/avro."""
    defined: set[str] = set()
    payload_namespace = f"soems.{event_cls.aggregate.name}"
    return {
        "type": "record",
        "name": event_record_name(event_cls),
        "fields": [
            {"name": "envelope",
             "type": _record(Envelope, f"{ENVELOPE_NAMESPACE}.Envelope", ENVELOPE_NAMESPACE,
                             defined)},
            {"name": "payload",
             "type": _record(event_cls, f"{event_record_name(event_cls)}Payload",
                             payload_namespace, defined)},
        ],
    }


def render_schema(schema: dict[str, Any]) -> str:
    """The committed text of a schema: key order is the order the generator builds, so the
    same classes always render the same bytes and drift shows up as a plain text diff."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _record(model: type[BaseModel], full_name: str, namespace: str,
            defined: set[str]) -> dict[str, Any] | str:
    # Avro allows a named type to be defined once per schema; later uses name it.
    if full_name in defined:
        return full_name
    defined.add(full_name)
    return {
        "type": "record",
        "name": full_name,
        "fields": [_field(name, info, namespace, defined, where=f"{model.__name__}.{name}")
                   for name, info in model.model_fields.items()],
    }


def _field(name: str, info: FieldInfo, namespace: str, defined: set[str],
           where: str) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name}
    former_names = [old for meta in info.metadata if isinstance(meta, FormerNames)
                    for old in meta.names]
    if former_names:
        field["aliases"] = former_names
    avro_type = _avro_type(info.annotation, namespace, defined, where)
    if info.is_required():
        field["type"] = avro_type
        # A required `X | None` still gets default null: readers of older data can fill it.
        if isinstance(avro_type, list):
            field["default"] = None
        return field
    default = _default_value(info, where)
    if isinstance(avro_type, list) and default is not None:
        # An Avro union's default must match its first branch.
        avro_type = [branch for branch in avro_type if branch != "null"] + ["null"]
    field["type"] = avro_type
    field["default"] = _avro_default(default, where)
    return field


def _avro_type(annotation: Any, namespace: str, defined: set[str], where: str) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        others = [arg for arg in args if arg is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise UnmappedType(f"{where}: only `X | None` unions map to Avro, not {annotation}")
        return ["null", _avro_type(others[0], namespace, defined, where)]
    if origin is list:
        return {"type": "array", "items": _avro_type(args[0], namespace, defined, where)}
    if origin is dict:
        if args[0] is not str:
            raise UnmappedType(f"{where}: Avro map keys are strings, not {args[0]}")
        return {"type": "map", "values": _avro_type(args[1], namespace, defined, where)}
    if annotation in _PRIMITIVES:
        return _PRIMITIVES[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _record(annotation, f"{namespace}.{annotation.__name__}", namespace, defined)
    raise UnmappedType(f"{where}: no Avro mapping for {annotation!r}")


def _default_value(info: FieldInfo, where: str) -> Any:
    if info.default_factory is None:
        return info.default
    # Avro defaults are constants: a factory like uuid4 would make every generation differ.
    if info.default_factory in (list, dict):
        return info.default_factory()
    raise UnmappedType(f"{where}: default_factory {info.default_factory!r} is not a constant")


def _avro_default(value: Any, where: str) -> Any:
    """A Python default in Avro's JSON encoding of defaults."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return (aware - _EPOCH) // _MICROSECOND
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list):
        return [_avro_default(item, where) for item in value]
    if isinstance(value, dict):
        return {key: _avro_default(item, where) for key, item in value.items()}
    if isinstance(value, BaseModel):
        return {name: _avro_default(getattr(value, name), where)
                for name in type(value).model_fields}
    raise UnmappedType(f"{where}: default {value!r} has no Avro encoding")

