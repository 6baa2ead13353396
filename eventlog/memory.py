"""An event store in memory with the same contract as the PostgreSQL one: for handler tests
that need no database, and as the reference the contract suite holds both stores to.

Writes that must share the events' transaction (``also``) need a database connection; the
in-memory store runs them with ``None`` only when they accept it, so handlers that store
credentials are tested against PostgreSQL.
"""
from __future__ import annotations

import asyncio
import copy
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from eventlog.store import (CommandContext, ConcurrencyError, DuplicateCommand, OutboxRow,
                            SameTransaction, Snapshot, Stream, record, record_streams)
from schemas import codec
from schemas.envelope import DomainEvent, RecordedEvent


class InMemoryEventStore:
    def __init__(self) -> None:
        self._streams: dict[str, list[bytes]] = {}
        self._commands: dict[UUID, tuple[dict[str, Any], bytes | None]] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._outbox: dict[int, OutboxRow] = {}
        self._next_position = 1
        self._lock = asyncio.Lock()
        self.notifications = 0  # how many times the relay would have been woken

    async def load(self, stream_id: str, snapshot_kind: str | None = None,
                   command_id: UUID | None = None) -> Stream:
        if command_id is not None and command_id in self._commands:
            outcome, digest = self._commands[command_id]
            return Stream(stream_id, -1, None, [], copy.deepcopy(outcome), digest)
        bodies = self._streams.get(stream_id, [])
        snapshot = self._snapshots.get(stream_id)
        if snapshot is None or snapshot.kind != snapshot_kind or not snapshot_kind:
            snapshot = None
        start = snapshot.version if snapshot else 0
        # Decoded from the stored bytes, as the PostgreSQL store does: what a test folds is
        # what the codec gives back, never the caller's own objects.
        events = [codec.decode(b) for b in bodies[start:]]
        return Stream(stream_id, len(bodies), snapshot, events)

    async def load_many(self, stream_ids: list[str]) -> list[Stream]:
        return [await self.load(stream_id) for stream_id in stream_ids]

    async def version_of(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, []))

    async def outcome_of(self, command_id: UUID) -> dict[str, Any] | None:
        found = self._commands.get(command_id)
        return copy.deepcopy(found[0]) if found is not None else None

    async def append(self, stream_id: str, expected_version: int, payloads: list[DomainEvent],
                     ctx: CommandContext, outcome: dict[str, Any],
                     also: SameTransaction | None = None,
                     snapshot: Snapshot | None = None) -> list[RecordedEvent]:
        recorded = record(stream_id, expected_version, payloads, ctx)
        bodies = [codec.encode(e) for e in recorded]
        async with self._lock:  # one writer at a time: the transaction
            if ctx.command_id in self._commands:
                earlier, digest = self._commands[ctx.command_id]
                raise DuplicateCommand(copy.deepcopy(earlier), digest)
            stream = self._streams.get(stream_id, [])
            if len(stream) != expected_version:
                raise ConcurrencyError(stream_id, expected_version, len(stream))
            if also is not None:
                await also(None)  # before anything is kept: a failure leaves no trace
            self._commands[ctx.command_id] = (copy.deepcopy(outcome), ctx.request_digest)
            self._streams[stream_id] = stream + bodies
            for event, body in zip(recorded, bodies):
                self._outbox[self._next_position] = OutboxRow(
                    self._next_position, event.payload.aggregate.topic, stream_id,
                    event.envelope.event_id, event.event_type, body, datetime.now(timezone.utc))
                self._next_position += 1
            if snapshot is not None:
                kept = self._snapshots.get(stream_id)
                if kept is None or kept.version < snapshot.version or kept.kind != snapshot.kind:
                    self._snapshots[stream_id] = snapshot
            if recorded:
                self.notifications += 1
        return recorded

    async def start_streams(self, streams: list[tuple[str, list[DomainEvent]]],
                            ctx: CommandContext, outcome: dict[str, Any],
                            causes: dict[str, UUID] | None = None) -> list[RecordedEvent]:
        recorded = record_streams(streams, ctx, causes)
        if not recorded:
            raise ValueError("no events to store")
        bodies = [codec.encode(e) for e in recorded]
        async with self._lock:
            if ctx.command_id in self._commands:
                earlier, digest = self._commands[ctx.command_id]
                raise DuplicateCommand(copy.deepcopy(earlier), digest)
            for stream_id, _ in streams:
                if self._streams.get(stream_id):
                    raise ConcurrencyError(stream_id, 0, len(self._streams[stream_id]))
            self._commands[ctx.command_id] = (copy.deepcopy(outcome), ctx.request_digest)
            for event, body in zip(recorded, bodies):
                stream_id = event.envelope.stream_id
                self._streams[stream_id] = self._streams.get(stream_id, []) + [body]
                self._outbox[self._next_position] = OutboxRow(
                    self._next_position, event.payload.aggregate.topic, stream_id,
                    event.envelope.event_id, event.event_type, body, datetime.now(timezone.utc))
                self._next_position += 1
            self.notifications += 1
        return recorded

    async def pending_outbox(self, limit: int) -> list[OutboxRow]:
        return [self._outbox[p] for p in sorted(self._outbox)[:limit]]

    async def mark_published(self, positions: list[int]) -> None:
        for position in positions:
            self._outbox.pop(position, None)
