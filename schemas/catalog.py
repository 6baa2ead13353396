"""The committed Avro schemas, every released version, indexed by fingerprint.

Layout: ``schemas/avro/<aggregate>/<EventType>.v<N>.avsc``. A message names its writer schema
only by the CRC-64-AVRO fingerprint of the schema's parsing canonical form, so the catalog is
what turns those 8 bytes back into an event type and version. Files are read and parsed once.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastavro.schema import (
    SchemaParseException, fingerprint, parse_schema, to_parsing_canonical_form,
)

SCHEMA_ROOT = Path(__file__).parent / "avro"
_FILE_NAME = re.compile(r"^(?P<event_type>[A-Za-z_]\w*)\.v(?P<version>[1-9][0-9]*)\.avsc$")


class CatalogError(ValueError):
    """The committed schema files are inconsistent (misnamed, or two share a fingerprint)."""


class UnknownSchema(LookupError):
    pass


@dataclass(frozen=True, eq=False)
class SchemaVersion:
    """One released schema of one event type."""

    event_type: str
    aggregate: str
    version: int
    path: Path
    schema: dict[str, Any]  # the JSON as committed
    parsed: dict[str, Any]  # fastavro's parsed form, what its readers and writers take
    fingerprint: bytes  # 8 bytes, little-endian, as in the single-object header

    def __repr__(self) -> str:
        return f"<SchemaVersion {self.event_type} v{self.version}>"


def schema_path(root: Path, aggregate: str, event_type: str, version: int) -> Path:
    return root / aggregate / f"{event_type}.v{version}.avsc"


def schema_fingerprint(schema: Any) -> bytes:
    # fastavro already returns the CRC-64-AVRO value as little-endian hex, the byte order the
    # single-object encoding spec (and Java's SchemaNormalization) puts on the wire.
    return bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))


def load_schema_version(path: Path) -> SchemaVersion:
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise CatalogError(f"{path}: schema files are named <EventType>.v<N>.avsc")
    aggregate, event_type = path.parent.name, match["event_type"]
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        parsed = parse_schema(schema)
    except (ValueError, SchemaParseException) as exc:  # fastavro's UnknownType is a ValueError
        raise CatalogError(f"{path}: not a valid Avro schema: {exc}") from exc
    expected_name = f"soems.{aggregate}.{event_type}"
    name = schema.get("name") if isinstance(schema, dict) else None
    if name != expected_name:
        raise CatalogError(f"{path}: the record is named {name!r}, its path says "
                           f"{expected_name!r}")
    return SchemaVersion(event_type=event_type, aggregate=aggregate,
                         version=int(match["version"]), path=path, schema=schema,
                         parsed=parsed, fingerprint=schema_fingerprint(parsed))


class SchemaCatalog:
    def __init__(self, schema_versions: list[SchemaVersion]):
        self._by_fingerprint: dict[bytes, SchemaVersion] = {}
        self._by_event_type: dict[str, list[SchemaVersion]] = {}
        for schema_version in schema_versions:
            clash = self._by_fingerprint.get(schema_version.fingerprint)
            if clash is not None:
                # Canonical form drops defaults, aliases and docs: two versions that differ only
                # there would be indistinguishable on the wire.
                raise CatalogError(f"{schema_version.path} and {clash.path} have the same "
                                   f"fingerprint: a new version must change the structure")
            self._by_fingerprint[schema_version.fingerprint] = schema_version
            self._by_event_type.setdefault(schema_version.event_type, []).append(schema_version)
        for event_type, versions in self._by_event_type.items():
            versions.sort(key=lambda schema_version: schema_version.version)
            if len({schema_version.aggregate for schema_version in versions}) != 1:
                raise CatalogError(f"{event_type} has schema files under several aggregates")

    @classmethod
    def from_directory(cls, root: Path) -> SchemaCatalog:
        return cls([load_schema_version(path) for path in sorted(root.glob("*/*.avsc"))])

    def event_types(self) -> list[str]:
        return sorted(self._by_event_type)

    def versions(self, event_type: str) -> list[SchemaVersion]:
        """Every released version of an event type, oldest first."""
        return list(self._known(event_type))

    def current(self, event_type: str) -> SchemaVersion:
        """The highest released version: the reader schema for every message of the type."""
        return self._known(event_type)[-1]

    def version(self, event_type: str, version: int) -> SchemaVersion:
        for schema_version in self._known(event_type):
            if schema_version.version == version:
                return schema_version
        raise UnknownSchema(f"{event_type} has no committed schema v{version}")

    def by_fingerprint(self, schema_fingerprint: bytes) -> SchemaVersion:
        try:
            return self._by_fingerprint[schema_fingerprint]
        except KeyError:
            raise UnknownSchema(f"no committed schema has fingerprint "
                                f"{schema_fingerprint.hex()}") from None

    def __iter__(self) -> Iterator[SchemaVersion]:
        return iter(self._by_fingerprint.values())

    def _known(self, event_type: str) -> list[SchemaVersion]:
        try:
            return self._by_event_type[event_type]
        except KeyError:
            raise UnknownSchema(f"no committed schema for event type {event_type}") from None


@cache
def default_catalog() -> SchemaCatalog:
    """The catalog of schemas/avro, loaded once per process."""
    return SchemaCatalog.from_directory(SCHEMA_ROOT)
