"""Upcasters: pure functions that carry an old payload across a change of meaning.

Avro schema resolution already handles shape changes (an added field gets its default, a
renamed field follows its aliases, int widens to long). What it cannot know is that a value
means something else in the new version. Say ExamDrafted v2 counts the duration in seconds:

    class ExamDrafted(ExamEvent):
        schema_version: ClassVar[int] = 2
        duration_seconds: Annotated[int, FormerNames("duration_minutes")]

    @upcaster("ExamDrafted", from_version=1)
    def duration_in_seconds(payload: dict) -> dict:
        return {**payload, "duration_seconds": payload["duration_seconds"] * 60}

The meaning change comes with a rename because a message names its writer schema only by the
fingerprint of the schema's structure: two versions with the same structure are one on the wire.
The codec reads every message with the current schema first, so a step receives the payload
already in the current schema's fields, holding the values as the writer's version meant them.
Steps run in version order from the writer's version up to the current one; a bump without a
change of meaning needs no step.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class UpcasterRegistry:
    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: ``fn`` turns a v``from_version`` payload into a v``from_version + 1`` one."""
        def add(fn: Upcaster) -> Upcaster:
            key = (event_type, from_version)
            if key in self._steps:
                raise ValueError(f"{event_type} already has an upcaster from v{from_version}")
            self._steps[key] = fn
            return fn
        return add

    def upcast(self, event_type: str, payload: Payload, from_version: int,
               to_version: int) -> Payload:
        for version in range(from_version, to_version):
            step = self._steps.get((event_type, version))
            if step is not None:
                payload = step(payload)
        return payload


UPCASTERS = UpcasterRegistry()


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a step in the process-wide registry the default codec uses."""
    return UPCASTERS.register(event_type, from_version)
