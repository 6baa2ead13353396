"""The PostgreSQL event store: streams with optimistic concurrency, de-duplicated commands,
and the outbox, all written in one transaction."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from uuid import UUID

import asyncpg

from schemas import codec
from schemas.envelope import Actor, DomainEvent, RecordedEvent, new_envelope, topic_for

OUTBOX_CHANNEL = "soems_outbox"


class ConcurrencyError(Exception):
    """The stream moved on since the caller read it (HTTP 409)."""

    def __init__(self, stream_id: str, expected: int, actual: int):
        super().__init__(f"stream {stream_id} is at version {actual}, not {expected}")
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


class DuplicateCommand(Exception):
    """The command was already handled; ``outcome`` is what it answered the first time."""

    def __init__(self, outcome: dict[str, Any]):
        super().__init__("command already handled")
        self.outcome = outcome


@dataclass(frozen=True)
class CommandContext:
    """Who sent a command and how to trace it; carried into every event's envelope."""

    command_id: UUID
    actor: Actor
    correlation_id: UUID | None = None
    causation_id: UUID | None = None


@dataclass(frozen=True)
class Stream:
    stream_id: str
    version: int
    events: list[RecordedEvent]


# Extra writes that must commit or fail together with the events (e.g. credentials).
SameTransaction = Callable[[asyncpg.Connection], Awaitable[None]]


class EventStore:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    async def load(self, stream_id: str) -> Stream:
        rows = await self.pool.fetch(
            "SELECT body FROM eventlog.events WHERE stream_id = $1 ORDER BY stream_version",
            stream_id,
        )
        events = [codec.decode(bytes(r["body"])) for r in rows]
        return Stream(stream_id, len(events), events)

    async def outcome_of(self, command_id: UUID) -> dict[str, Any] | None:
        raw = await self.pool.fetchval(
            "SELECT outcome FROM eventlog.commands WHERE command_id = $1", command_id)
        return json.loads(raw) if raw is not None else None

    async def append(
        self, stream_id: str, expected_version: int, payloads: list[DomainEvent],
        ctx: CommandContext, outcome: dict[str, Any],
        also: SameTransaction | None = None,
    ) -> list[RecordedEvent]:
        """Append events at ``expected_version + 1...`` and record the command's outcome.

        Raises ConcurrencyError when the stream is not at ``expected_version``, and
        DuplicateCommand when this command_id was already handled (nothing is appended).
        """
        recorded = [
            RecordedEvent(envelope=new_envelope(
                p, stream_id, expected_version + i + 1, ctx.actor, ctx.command_id,
                ctx.correlation_id, ctx.causation_id), payload=p)
            for i, p in enumerate(payloads)
        ]
        bodies = [codec.encode(e) for e in recorded]
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                first = await conn.fetchval(
                    "INSERT INTO eventlog.commands (command_id, stream_id, outcome) "
                    "VALUES ($1, $2, $3) ON CONFLICT (command_id) DO NOTHING RETURNING true",
                    ctx.command_id, stream_id, json.dumps(outcome, default=str))
                if not first:
                    raise DuplicateCommand(await self._stored_outcome(conn, ctx.command_id))
                actual = await conn.fetchval(
                    "SELECT coalesce(max(stream_version), 0) FROM eventlog.events "
                    "WHERE stream_id = $1", stream_id)
                if actual != expected_version:
                    raise ConcurrencyError(stream_id, expected_version, actual)
                try:
                    await conn.executemany(
                        "INSERT INTO eventlog.events (stream_id, stream_version, event_id, "
                        "event_type, aggregate, occurred_at, command_id, body) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        [(stream_id, e.envelope.stream_version, e.envelope.event_id,
                          e.event_type, e.payload.aggregate, e.envelope.occurred_at,
                          ctx.command_id, body) for e, body in zip(recorded, bodies)])
                except asyncpg.UniqueViolationError as exc:  # a concurrent writer won
                    raise ConcurrencyError(stream_id, expected_version, -1) from exc
                await conn.executemany(
                    "INSERT INTO eventlog.outbox (topic, message_key, event_id, event_type, body) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    [(topic_for(e.payload.aggregate), stream_id, e.envelope.event_id,
                      e.event_type, body) for e, body in zip(recorded, bodies)])
                if also is not None:
                    await also(conn)
                await conn.execute(f"NOTIFY {OUTBOX_CHANNEL}")
        return recorded

    @staticmethod
    async def _stored_outcome(conn: asyncpg.Connection, command_id: UUID) -> dict[str, Any]:
        raw = await conn.fetchval(
            "SELECT outcome FROM eventlog.commands WHERE command_id = $1", command_id)
        return json.loads(raw)
