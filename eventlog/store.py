"""The event store: streams with optimistic concurrency, de-duplicated commands, snapshots and
the outbox, all written atomically (one statement, or one transaction with ``also``).

``EventStore`` is the contract; ``PostgresEventStore`` is the one services use, and
``eventlog.memory.InMemoryEventStore`` keeps the same promises in memory for fast tests. One
contract suite (tests/integration/test_event_store_contract.py) runs against both.

Loading costs the same however long a stream grows: a snapshot (a decider's state and the
version it reflects, written in the same transaction as the events it follows) is read first,
then only the events after it, in one round trip.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Awaitable, Callable, Protocol
from uuid import UUID

import asyncpg

from schemas import codec
from schemas.envelope import Actor, DomainEvent, RecordedEvent, new_envelope
from schemas.refusals import DomainError

OUTBOX_CHANNEL = "soems_outbox"


class ConcurrencyError(DomainError):
    """The stream moved on since the caller read it (HTTP 409)."""

    def __init__(self, stream_id: str, expected: int, actual: int):
        super().__init__("version_conflict",
                         f"the stream changed: you sent version {expected}, it is at "
                         f"{actual if actual >= 0 else 'a newer one'}",
                         expected_version=expected, current_version=actual)
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


class DuplicateCommand(Exception):
    """The command was already handled; ``outcome`` is what it answered the first time and
    ``request_digest`` the digest of the request that sent it."""

    def __init__(self, outcome: dict[str, Any], request_digest: bytes | None = None):
        super().__init__("command already handled")
        self.outcome = outcome
        self.request_digest = request_digest


@dataclass(frozen=True)
class CommandContext:
    """Who sent a command and how to trace it; carried into every event's envelope."""

    command_id: UUID
    actor: Actor
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    # A keyed digest of the request that carried the command (method, path, body): a retry
    # must send the same request; the same key with another request is refused.
    request_digest: bytes | None = None


@dataclass(frozen=True)
class Snapshot:
    """A folded state at ``version``. ``kind`` names the state's shape: a snapshot of another
    kind (an older shape of the state class) is ignored, and the stream is folded whole."""

    kind: str
    version: int
    state: bytes


@dataclass(frozen=True)
class Stream:
    """What a command needs of a stream: the latest snapshot of the asked kind (if any) and
    the events after it. ``version`` is the stream's current version."""

    stream_id: str
    version: int
    snapshot: Snapshot | None
    events: list[RecordedEvent]
    # What the command named in the load answered, when it was handled already (a retry):
    # then nothing else is read.
    earlier_outcome: dict[str, Any] | None = None
    earlier_request_digest: bytes | None = None


@dataclass(frozen=True)
class OutboxRow:
    position: int
    topic: str
    key: str
    event_id: UUID
    event_type: str
    body: bytes
    created_at: datetime
    stream_version: int | None = None
    chain_hash: bytes | None = None  # eventlog/chain.py: published with the event


# Extra writes that must commit or fail together with the events (e.g. credentials).
SameTransaction = Callable[[asyncpg.Connection], Awaitable[None]]


class EventStore(Protocol):
    async def load(self, stream_id: str, snapshot_kind: str | None = None,
                   command_id: UUID | None = None) -> Stream:
        """The stream from its latest snapshot of ``snapshot_kind`` (or from the start); and,
        when ``command_id`` was handled before, only its outcome (``earlier_outcome``)."""

    async def version_of(self, stream_id: str) -> int:
        """The stream's version (0 when it has no events), without reading its events."""

    async def load_many(self, stream_ids: list[str]) -> list[Stream]:
        """Whole streams (no snapshots), in the order asked: one read for a batch of them."""

    async def outcome_of(self, command_id: UUID) -> dict[str, Any] | None:
        """What a command answered, if it was handled."""

    async def append(self, stream_id: str, expected_version: int, payloads: list[DomainEvent],
                     ctx: CommandContext, outcome: dict[str, Any],
                     also: SameTransaction | None = None,
                     snapshot: Snapshot | None = None) -> list[RecordedEvent]:
        """Append events at ``expected_version + 1...``, record the command's outcome, queue
        the events in the outbox and keep ``snapshot``, all or nothing.

        Raises ConcurrencyError when the stream is not at ``expected_version`` and
        DuplicateCommand when this command_id was already handled (nothing is written).
        """

    async def start_streams(self, streams: list[tuple[str, list[DomainEvent]]],
                            ctx: CommandContext, outcome: dict[str, Any],
                            causes: dict[str, UUID] | None = None) -> list[RecordedEvent]:
        """Start several new streams as one command (an import), all or nothing: each
        stream's events from version 1, the command's outcome, the outbox. ``causes``: the
        causation of some streams' events, when it is not the command's.

        Raises DuplicateCommand when this command_id was already handled, and
        ConcurrencyError when any of the streams exists already (nothing is written).
        """

    async def pending_outbox(self, limit: int) -> list[OutboxRow]:
        """The oldest unpublished events, in commit order of their positions."""

    async def mark_published(self, positions: list[int]) -> None:
        """Forget exactly these outbox rows (never a range: see ``delete_published``)."""


# From this many streams or commands at once (an import), their CPU work (deciding,
# envelopes, Avro) runs in a worker thread and the event loop goes on answering others.
BULK = 100


def record(stream_id: str, expected_version: int, payloads: list[DomainEvent],
           ctx: CommandContext) -> list[RecordedEvent]:
    """The events as they will be stored: envelopes with consecutive versions."""
    return [
        RecordedEvent(envelope=new_envelope(
            p, stream_id, expected_version + i + 1, ctx.actor, ctx.command_id,
            ctx.correlation_id, ctx.causation_id), payload=p)
        for i, p in enumerate(payloads)
    ]


# One round trip for a command: the outcome of its id if it was handled (part 0), else the
# snapshot (part 1) and the events after it (part 2).
_LOAD = """
WITH earlier AS (
    SELECT convert_to(outcome::text, 'UTF8') AS outcome, request_digest FROM eventlog.commands
    WHERE command_id = $3
), snap AS (
    SELECT version, state FROM eventlog.snapshots
    WHERE stream_id = $1 AND kind = $2 AND NOT EXISTS (SELECT 1 FROM earlier)
)
SELECT 0 AS part, 0 AS v, outcome AS data, request_digest AS digest FROM earlier
UNION ALL
SELECT 1, version, state, NULL FROM snap
UNION ALL
SELECT 2, stream_version, body, NULL FROM eventlog.events
WHERE stream_id = $1 AND stream_version > coalesce((SELECT version FROM snap), 0)
  AND NOT EXISTS (SELECT 1 FROM earlier)
ORDER BY part, v
"""


# A command in one statement, atomic without a transaction block: claim the command id (only
# if the stream is at the expected version), store the events (a trigger queues them in the
# outbox, in their order), keep the snapshot, and wake the relay at commit; or, when the
# stream moved or the command was handled before, change nothing and say which. Two writers of
# one version cannot both insert the events (primary key): the loser's statement fails whole.
_APPEND = """
WITH current AS (
    SELECT coalesce(max(stream_version), 0) AS version FROM eventlog.events WHERE stream_id = $2
), claimed AS (
    INSERT INTO eventlog.commands (command_id, stream_id, outcome, request_digest)
    SELECT $1, $2, $3, $11 FROM current WHERE current.version = $4
    ON CONFLICT (command_id) DO NOTHING RETURNING true
), stored AS (
    INSERT INTO eventlog.events (stream_id, stream_version, event_id, event_type, aggregate,
                                 occurred_at, command_id, body)
    SELECT $2, v, id, t, $5, at, $1, b
    FROM unnest($6::int[], $7::uuid[], $8::text[], $9::timestamptz[], $10::bytea[])
         AS e(v, id, t, at, b)
    WHERE EXISTS (SELECT 1 FROM claimed)
    ORDER BY v  -- the outbox trigger queues them in this order
){snapshot}
SELECT EXISTS (SELECT 1 FROM claimed) AS appended,
       (SELECT version FROM current) AS actual,
       (SELECT outcome FROM eventlog.commands WHERE command_id = $1) AS earlier,
       (SELECT request_digest FROM eventlog.commands WHERE command_id = $1) AS earlier_digest,
       (SELECT count(pg_notify('""" + OUTBOX_CHANNEL + """', '')) FROM claimed
        WHERE cardinality($6::int[]) > 0) AS notified
"""
_APPEND_WITH_SNAPSHOT = _APPEND.format(snapshot=""", kept AS (
    INSERT INTO eventlog.snapshots (stream_id, kind, version, state)
    SELECT $2, $12, $13, $14 WHERE EXISTS (SELECT 1 FROM claimed)
    ON CONFLICT (stream_id) DO UPDATE SET kind = excluded.kind, version = excluded.version,
        state = excluded.state, taken_at = now()
    WHERE snapshots.version < excluded.version OR snapshots.kind <> excluded.kind
)""")
_APPEND = _APPEND.format(snapshot="")


# Several new streams as one command, in one statement: claim the command id only if none of
# the streams exists, then store every event (the outbox trigger queues them in this order).
_START_STREAMS = """
WITH taken AS (
    SELECT stream_id FROM eventlog.events WHERE stream_id = ANY($2::text[]) LIMIT 1
), claimed AS (
    INSERT INTO eventlog.commands (command_id, stream_id, outcome, request_digest)
    SELECT $1, $2[1], $3, $4 WHERE NOT EXISTS (SELECT 1 FROM taken)
    ON CONFLICT (command_id) DO NOTHING RETURNING true
), stored AS (
    INSERT INTO eventlog.events (stream_id, stream_version, event_id, event_type, aggregate,
                                 occurred_at, command_id, body)
    SELECT s, v, id, t, a, at, $1, b
    FROM unnest($5::text[], $6::int[], $7::uuid[], $8::text[], $9::text[], $10::timestamptz[],
                $11::bytea[]) WITH ORDINALITY AS e(s, v, id, t, a, at, b, n)
    WHERE EXISTS (SELECT 1 FROM claimed)
    ORDER BY n
)
SELECT EXISTS (SELECT 1 FROM claimed) AS appended,
       (SELECT stream_id FROM taken) AS taken,
       (SELECT outcome FROM eventlog.commands WHERE command_id = $1) AS earlier,
       (SELECT request_digest FROM eventlog.commands WHERE command_id = $1) AS earlier_digest,
       (SELECT count(pg_notify('""" + OUTBOX_CHANNEL + """', '')) FROM claimed) AS notified
"""


def record_streams(streams: list[tuple[str, list[DomainEvent]]], ctx: CommandContext,
                   causes: dict[str, UUID] | None = None) -> list[RecordedEvent]:
    """The events of several new streams, each from version 1, in the given order; a stream
    in ``causes`` has its own causation (the event that asked for it: a batch of gradings)."""
    if len({stream_id for stream_id, _ in streams}) != len(streams):
        raise ValueError("each new stream once")
    causes = causes or {}
    return [event for stream_id, payloads in streams
            for event in record(stream_id, 0, payloads, ctx if stream_id not in causes
                                else replace(ctx, causation_id=causes[stream_id]))]


async def read_outbox(conn, limit: int) -> list[OutboxRow]:
    rows = await conn.fetch(
        "SELECT position, topic, message_key, event_id, event_type, body, created_at, "
        "stream_version, chain_hash FROM eventlog.outbox ORDER BY position LIMIT $1", limit)
    return [OutboxRow(r["position"], r["topic"], r["message_key"], r["event_id"],
                      r["event_type"], bytes(r["body"]), r["created_at"], r["stream_version"],
                      r["chain_hash"]) for r in rows]


async def delete_published(conn, positions: list[int]) -> None:
    # Delete exactly what was published, never a range: a transaction that took a lower
    # position may commit after the read, and its row must wait for the next batch.
    await conn.execute("DELETE FROM eventlog.outbox WHERE position = ANY($1::bigint[])",
                       positions)


class PostgresEventStore:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    async def load(self, stream_id: str, snapshot_kind: str | None = None,
                   command_id: UUID | None = None) -> Stream:
        rows = await self.pool.fetch(_LOAD, stream_id, snapshot_kind or "", command_id)
        if rows and rows[0]["part"] == 0:
            return Stream(stream_id, -1, None, [], json.loads(bytes(rows[0]["data"])),
                          rows[0]["digest"])
        snapshot = None
        if rows and rows[0]["part"] == 1:
            snapshot = Snapshot(snapshot_kind, rows[0]["v"], bytes(rows[0]["data"]))
            rows = rows[1:]
        events = [codec.decode(bytes(r["data"])) for r in rows]
        version = rows[-1]["v"] if rows else (snapshot.version if snapshot else 0)
        return Stream(stream_id, version, snapshot, events)

    async def load_many(self, stream_ids: list[str]) -> list[Stream]:
        rows = await self.pool.fetch(
            "SELECT stream_id, stream_version, body FROM eventlog.events "
            "WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version", stream_ids)
        found: dict[str, list] = {}
        for r in rows:
            found.setdefault(r["stream_id"], []).append(r)
        return [Stream(s, found[s][-1]["stream_version"] if s in found else 0, None,
                       [codec.decode(bytes(r["body"])) for r in found.get(s, [])])
                for s in stream_ids]

    async def version_of(self, stream_id: str) -> int:
        # One descent of the (stream_id, stream_version) primary key.
        return await self.pool.fetchval(
            "SELECT coalesce(max(stream_version), 0) FROM eventlog.events WHERE stream_id = $1",
            stream_id)

    async def outcome_of(self, command_id: UUID) -> dict[str, Any] | None:
        raw = await self.pool.fetchval(
            "SELECT outcome FROM eventlog.commands WHERE command_id = $1", command_id)
        return json.loads(raw) if raw is not None else None

    async def append(
        self, stream_id: str, expected_version: int, payloads: list[DomainEvent],
        ctx: CommandContext, outcome: dict[str, Any],
        also: SameTransaction | None = None, snapshot: Snapshot | None = None,
    ) -> list[RecordedEvent]:
        recorded = record(stream_id, expected_version, payloads, ctx)
        bodies = [codec.encode(e) for e in recorded]
        aggregate = recorded[0].payload.aggregate if recorded else None
        args = [ctx.command_id, stream_id, json.dumps(outcome, default=str), expected_version,
                aggregate.name if aggregate else "", [e.envelope.stream_version for e in recorded],
                [e.envelope.event_id for e in recorded], [e.event_type for e in recorded],
                [e.envelope.occurred_at for e in recorded], bodies,
                ctx.request_digest]
        if snapshot is not None:
            args += [snapshot.kind, snapshot.version, snapshot.state]
        statement = _APPEND_WITH_SNAPSHOT if snapshot is not None else _APPEND
        async with self.pool.acquire() as conn:
            if also is None:  # one statement: atomic on its own, one round trip
                result = await self._append(conn, statement, args, stream_id, expected_version)
            else:
                async with conn.transaction():
                    result = await self._append(conn, statement, args, stream_id,
                                                expected_version)
                    if result["appended"]:
                        await also(conn)
            if not result["appended"]:
                earlier, digest = result["earlier"], result["earlier_digest"]
                if earlier is None and result["actual"] == expected_version:
                    # The same command id committed by a concurrent request after this
                    # statement's snapshot was taken: its outcome is there now.
                    row = await conn.fetchrow(
                        "SELECT outcome, request_digest FROM eventlog.commands "
                        "WHERE command_id = $1", ctx.command_id)
                    earlier, digest = (row["outcome"], row["request_digest"]) if row else \
                        (None, None)
                if earlier is not None:
                    raise DuplicateCommand(json.loads(earlier), digest)
                raise ConcurrencyError(stream_id, expected_version, result["actual"])
        return recorded

    async def start_streams(self, streams: list[tuple[str, list[DomainEvent]]],
                            ctx: CommandContext, outcome: dict[str, Any],
                            causes: dict[str, UUID] | None = None) -> list[RecordedEvent]:
        def prepare():
            recorded = record_streams(streams, ctx, causes)
            if not recorded:
                raise ValueError("no events to store")
            return recorded, [codec.encode(e) for e in recorded]

        # An import's envelopes and Avro bodies are a second of CPU for 10,000 questions: in
        # a worker thread, so the event loop goes on answering other requests meanwhile.
        recorded, bodies = prepare() if len(streams) < BULK else await asyncio.to_thread(prepare)
        args = [ctx.command_id, [stream_id for stream_id, _ in streams],
                json.dumps(outcome, default=str), ctx.request_digest,
                [e.envelope.stream_id for e in recorded],
                [e.envelope.stream_version for e in recorded],
                [e.envelope.event_id for e in recorded], [e.event_type for e in recorded],
                [e.payload.aggregate.name for e in recorded],
                [e.envelope.occurred_at for e in recorded], bodies]
        async with self.pool.acquire() as conn:
            try:
                result = await conn.fetchrow(_START_STREAMS, *args)
            except asyncpg.UniqueViolationError as exc:  # a concurrent writer started one
                raise ConcurrencyError(streams[0][0], 0, -1) from exc
        if not result["appended"]:
            if result["earlier"] is not None:
                raise DuplicateCommand(json.loads(result["earlier"]), result["earlier_digest"])
            if result["taken"] is not None:
                raise ConcurrencyError(result["taken"], 0, -1)
            outcome = await self.outcome_of(ctx.command_id)  # committed meanwhile
            raise DuplicateCommand(outcome or {}, None)
        return recorded

    @staticmethod
    async def _append(conn, statement: str, args: list, stream_id: str, expected: int):
        try:
            return await conn.fetchrow(statement, *args)
        except asyncpg.UniqueViolationError as exc:  # a concurrent writer of this version won
            raise ConcurrencyError(stream_id, expected, -1) from exc

    async def pending_outbox(self, limit: int) -> list[OutboxRow]:
        return await read_outbox(self.pool, limit)

    async def mark_published(self, positions: list[int]) -> None:
        await delete_published(self.pool, positions)
