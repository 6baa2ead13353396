"""Events to bytes and back: Avro single-object encoding, no network registry.

A message is ``C3 01``, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema,
then the schemaless Avro body. The reader finds the writer schema in the catalog by fingerprint,
resolves it against the current schema of the event type, runs the upcasters and validates the
payload into its pydantic class, so consumers always see current-version events.
"""
from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from typing import Any

from fastavro import schemaless_reader, schemaless_writer
from pydantic import ValidationError

import schemas.events  # noqa: F401  (registers the event classes the default codec builds)
from schemas.catalog import SchemaCatalog, SchemaVersion, default_catalog
from schemas.envelope import DomainEvent, Envelope, RecordedEvent
from schemas.upcasters import UPCASTERS, UpcasterRegistry

MARKER = b"\xc3\x01"
HEADER_SIZE = len(MARKER) + 8

# What fastavro raises on a body that does not match its writer schema: short reads, varints
# past the end, union indexes out of range, bytes that are not UTF-8, impossible timestamps.
_CORRUPT_BODY = (EOFError, IndexError, ValueError, struct.error, OverflowError)


class DecodeError(ValueError):
    """The bytes are not a message this catalog can turn into a valid event."""


class EncodeError(ValueError):
    """The event cannot be written with a committed schema."""


@dataclass(frozen=True)
class _ReadPlan:
    """Everything decode needs for one writer fingerprint, worked out once."""

    writer: SchemaVersion
    reader_schema: dict[str, Any] | None  # None when the writer is current: no resolution
    current_version: int


class EventCodec:
    def __init__(self, catalog: SchemaCatalog, upcasters: UpcasterRegistry = UPCASTERS,
                 event_classes: Mapping[str, type[DomainEvent]] = DomainEvent.registry):
        self._upcasters = upcasters
        self._event_classes = event_classes
        self._plans: dict[bytes, _ReadPlan] = {}
        for writer in catalog:
            current = catalog.current(writer.event_type)
            self._plans[writer.fingerprint] = _ReadPlan(
                writer=writer,
                reader_schema=None if writer is current else current.parsed,
                current_version=current.version)
        self._writers: dict[tuple[str, int], tuple[bytes, dict[str, Any]]] = {
            (writer.event_type, writer.version): (MARKER + writer.fingerprint, writer.parsed)
            for writer in catalog}

    def encode(self, event: RecordedEvent) -> bytes:
        payload_type = type(event.payload)
        event_type = payload_type.event_type()
        if event.envelope.event_type != event_type:
            raise EncodeError(f"envelope says {event.envelope.event_type} "
                              f"but the payload is a {event_type}")
        try:
            header, schema = self._writers[(event_type, payload_type.schema_version)]
        except KeyError:
            raise EncodeError(f"{event_type} v{payload_type.schema_version} has no committed "
                              f"schema; run `python -m schemas generate`") from None
        out = BytesIO()
        out.write(header)
        try:
            schemaless_writer(out, schema, {"envelope": event.envelope.model_dump(),
                                            "payload": event.payload.model_dump()})
        except (TypeError, ValueError, OverflowError) as exc:
            raise EncodeError(f"{event_type}: {exc}") from exc
        return out.getvalue()

    def peek_event_type(self, data: bytes) -> str:
        """The event type of a message, from its header alone (for routing, DLQ reports)."""
        return self._plan(data).writer.event_type

    def decode(self, data: bytes) -> RecordedEvent:
        plan = self._plan(data)
        writer = plan.writer
        body = BytesIO(data)
        body.seek(HEADER_SIZE)
        try:
            record = schemaless_reader(body, writer.parsed, plan.reader_schema)
        except _CORRUPT_BODY as exc:
            raise DecodeError(f"{writer.event_type} v{writer.version}: truncated or corrupt "
                              f"body ({type(exc).__name__}: {exc})") from exc
        if body.tell() != len(data):
            raise DecodeError(f"{writer.event_type} v{writer.version}: "
                              f"{len(data) - body.tell()} bytes left after the body")
        payload = record["payload"]
        if writer.version != plan.current_version:
            payload = self._upcasters.upcast(writer.event_type, payload, writer.version,
                                             plan.current_version)
        payload_class = self._event_classes.get(writer.event_type)
        if payload_class is None:
            raise DecodeError(f"{writer.event_type} has a schema but no event class")
        try:
            envelope = Envelope.model_validate(record["envelope"])
            event_payload = payload_class.model_validate(payload)
        except ValidationError as exc:
            raise DecodeError(f"{writer.event_type} v{writer.version}: invalid event: "
                              f"{exc}") from exc
        if envelope.event_type != writer.event_type:
            raise DecodeError(f"envelope says {envelope.event_type} but the writer schema is "
                              f"{writer.event_type} v{writer.version}")
        return RecordedEvent(envelope=envelope, payload=event_payload)

    def _plan(self, data: bytes) -> _ReadPlan:
        if data[:2] != MARKER:
            raise DecodeError(f"not an Avro single-object message: starts with "
                              f"{bytes(data[:2]).hex(' ') or 'nothing'}, expected c3 01")
        if len(data) < HEADER_SIZE:
            raise DecodeError(f"truncated header: {len(data)} bytes, the marker and "
                              f"fingerprint take {HEADER_SIZE}")
        fingerprint = bytes(data[2:HEADER_SIZE])
        plan = self._plans.get(fingerprint)
        if plan is None:
            raise DecodeError(f"unknown writer schema fingerprint {fingerprint.hex()}: "
                              f"no committed schema has it (a newer producer than this "
                              f"catalog, or not a SOEMS event)")
        return plan


@cache
def default_codec() -> EventCodec:
    """The codec over schemas/avro, every registered event class and upcaster."""
    return EventCodec(default_catalog())


def encode(event: RecordedEvent) -> bytes:
    return default_codec().encode(event)


def decode(data: bytes) -> RecordedEvent:
    return default_codec().decode(data)


def peek_event_type(data: bytes) -> str:
    return default_codec().peek_event_type(data)
