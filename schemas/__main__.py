"""``python -m schemas generate|check``: keep the committed Avro schemas in step with the classes.

generate  writes schemas/avro/<aggregate>/<EventType>.v<N>.avsc for every event class at its
          schema_version, and refuses to change a version file that already exists.
check     fails on drift (a class no longer generates its committed current file), on committed
          schemas without a class, and on any old version the current one cannot read.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from schemas.avro_gen import event_schema, render_schema
from schemas.catalog import SCHEMA_ROOT, CatalogError, SchemaCatalog, schema_path
from schemas.compat import catalog_incompatibilities
from schemas.envelope import DomainEvent
from schemas.events import ALL_EVENTS


def generate(root: Path, event_classes: Mapping[str, type[DomainEvent]]) -> list[str]:
    """Write each event's current schema file; return the refusals (empty when all went well)."""
    refusals = []
    for event_type, event_cls in sorted(event_classes.items()):
        path = schema_path(root, event_cls.aggregate.name, event_type, event_cls.schema_version)
        text = render_schema(event_schema(event_cls))
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        elif path.read_text(encoding="utf-8") != text:
            # A released version is what old messages were written with: it never changes.
            refusals.append(f"{event_type}: {path} is released and differs from what the class "
                            f"generates now; bump {event_type}.schema_version to "
                            f"{event_cls.schema_version + 1} (and add an upcaster if a meaning "
                            f"changed)")
    return refusals


def check(root: Path, event_classes: Mapping[str, type[DomainEvent]]) -> list[str]:
    """Every reason the committed schemas and the classes disagree; empty when they agree."""
    try:
        catalog = SchemaCatalog.from_directory(root)
    except CatalogError as exc:
        return [str(exc)]
    problems = []
    for event_type, event_cls in sorted(event_classes.items()):
        path = schema_path(root, event_cls.aggregate.name, event_type, event_cls.schema_version)
        if not path.exists():
            problems.append(f"{event_type}: {path} is missing; run `python -m schemas generate`")
        elif path.read_text(encoding="utf-8") != render_schema(event_schema(event_cls)):
            problems.append(f"{event_type}: drift: {path} differs from what the class "
                            f"generates; change it back, or bump schema_version and generate")
        elif catalog.current(event_type).version != event_cls.schema_version:
            problems.append(f"{event_type}: committed v{catalog.current(event_type).version} is "
                            f"newer than the class's schema_version {event_cls.schema_version}")
    for event_type in catalog.event_types():
        if event_type not in event_classes:
            # The log keeps these events forever: removing the class makes them unreadable.
            problems.append(f"{event_type}: committed schemas but no event class")
    problems += [str(incompatibility) for incompatibility in catalog_incompatibilities(catalog)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schemas", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["generate", "check"])
    command = parser.parse_args(argv).command
    problems = (generate if command == "generate" else check)(SCHEMA_ROOT, ALL_EVENTS)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems and command == "check":
        print(f"schemas ok: {len(ALL_EVENTS)} event types")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
