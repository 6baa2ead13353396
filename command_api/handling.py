"""The application layer of the command side: deciders and command handling, with no HTTP.

A ``Decider`` binds an aggregate (declared once in ``schemas.events``) to its pure
``decide(command, state) -> events`` and ``evolve(state, event) -> state``. ``handle`` does
everything impure around them: load the stream (from its snapshot), fold, decide, append with
the expected version, and keep a new snapshot every ``snapshot_every`` events in the same
transaction. Refusals are ``schemas.refusals`` errors; ``web.errors`` maps them to HTTP.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Generic, TypeVar

from pydantic import TypeAdapter

from eventlog.metrics import count_command
from eventlog.store import (BULK, CommandContext, ConcurrencyError, DuplicateCommand, EventStore,
                            SameTransaction, Snapshot, Stream)
from schemas.envelope import Aggregate, DomainEvent
from schemas.refusals import DomainError, Invalid

State = TypeVar("State")
Command = TypeVar("Command")

# A snapshot every this many events: a load folds at most this many events after it (about
# 25 µs each to decode and fold), and a write costs one small upsert this often.
SNAPSHOT_EVERY = 50


@dataclass(frozen=True)
class Decider(Generic[Command, State]):
    aggregate: Aggregate
    initial: State
    decide: Callable[[Command, State], list[DomainEvent]]
    evolve: Callable[[State, DomainEvent], State]
    snapshot_every: int = field(default=SNAPSHOT_EVERY, compare=False)

    def fold(self, events: list[DomainEvent], state: State | None = None) -> State:
        state = self.initial if state is None else state
        for event in events:
            state = self.evolve(state, event)
        return state

    # --- snapshots: the state as JSON through pydantic (dataclasses, datetimes, tuples) ----

    @cached_property
    def _state_adapter(self) -> TypeAdapter:
        return TypeAdapter(type(self.initial))

    @cached_property
    def snapshot_kind(self) -> str:
        """The aggregate and a hash of the state's JSON schema: changing the state class
        makes old snapshots another kind, so they are ignored rather than misread."""
        shape = json.dumps(self._state_adapter.json_schema(), sort_keys=True)
        return f"{self.aggregate.name}:{hashlib.sha256(shape.encode()).hexdigest()[:16]}"

    def snapshot(self, state: State, version: int) -> Snapshot:
        return Snapshot(self.snapshot_kind, version, self._state_adapter.dump_json(state))

    def restore(self, stream: Stream) -> State:
        """The state after every event of ``stream``."""
        state = None
        if stream.snapshot is not None:
            state = self._state_adapter.validate_json(stream.snapshot.state)
        return self.fold([e.payload for e in stream.events], state)


async def load_state(store: EventStore, decider: Decider[Any, State],
                     entity_id: str) -> tuple[State, int]:
    """The current state of one entity and its stream version (for reads on the command side,
    such as sign-in)."""
    stream = await store.load(decider.aggregate.stream_id(entity_id), decider.snapshot_kind)
    return decider.restore(stream), stream.version


class ReadStates(Generic[State]):
    """The states of one aggregate's streams that many commands read and few write (an exam,
    read by each of its students' Starts: at exam day's synchronized start, loading and
    decoding it was a third of a Start's CPU). Each is kept at the version it was built from
    and served while the stream is still at that version: one index lookup instead of a load.
    States are immutable (``evolve`` returns new ones), so one can be shared."""

    def __init__(self, decider: Decider[Any, State], size: int = 256):
        self.decider, self.size = decider, size
        self._held: OrderedDict[str, tuple[int, State]] = OrderedDict()

    async def load(self, store: EventStore, entity_id: str) -> tuple[State, int]:
        stream_id = self.decider.aggregate.stream_id(entity_id)
        version = await store.version_of(stream_id)
        held = self._held.get(stream_id)
        if held is not None and held[0] == version:
            self._held.move_to_end(stream_id)
            return held[1], version
        state, version = await load_state(store, self.decider, entity_id)
        self._held[stream_id] = (version, state)
        self._held.move_to_end(stream_id)
        while len(self._held) > self.size:
            self._held.popitem(last=False)
        return state, version


LOADS_AT_ONCE = 16  # concurrent stream loads of one request (the pool has 20 connections)


async def load_states(store: EventStore, decider: Decider[Any, State],
                      entity_ids: list[str]) -> list[State]:
    """The current states of many entities (the questions an exam names, the accounts an
    assignment names), in order, at most LOADS_AT_ONCE loads at a time."""
    gate = asyncio.Semaphore(LOADS_AT_ONCE)

    async def one(entity_id: str) -> State:
        async with gate:
            return (await load_state(store, decider, entity_id))[0]

    return list(await asyncio.gather(*(one(e) for e in entity_ids)))


def _same_request(ctx: CommandContext, earlier_digest: bytes | None, aggregate: str) -> None:
    """A retry must be the same request: the same key on another request is a client bug (or
    a guess), answered with a refusal, never with the other request's outcome."""
    if ctx.request_digest is not None and earlier_digest is not None \
            and not hmac.compare_digest(ctx.request_digest, earlier_digest):
        count_command(aggregate, "refused")
        raise Invalid("idempotency_key_reused", "this Idempotency-Key was already used for "
                      "another request; send a new key for a new request",
                      field="Idempotency-Key")


# A command that names no version (no If-Match) is decided again on the newer state when
# another command appended to the stream between its load and its append (two tabs saving
# answers of one attempt at once): the caller asked for an outcome, not for a version.
RETRIES_ON_CONFLICT = 3


async def handle(
    store: EventStore, decider: Decider, entity_id: str, command: Any, ctx: CommandContext,
    outcome: Callable[[State], dict[str, Any]],
    expected_version: int | None = None,
    also: Callable[[State, list[DomainEvent]], SameTransaction | None] | None = None,
) -> dict[str, Any]:
    for attempt in range(RETRIES_ON_CONFLICT):
        try:
            return await _handle_once(store, decider, entity_id, command, ctx, outcome,
                                      expected_version, also)
        except ConcurrencyError:
            if expected_version is not None or attempt == RETRIES_ON_CONFLICT - 1:
                raise
    raise AssertionError("unreachable")


async def _handle_once(
    store: EventStore, decider: Decider, entity_id: str, command: Any, ctx: CommandContext,
    outcome: Callable[[State], dict[str, Any]],
    expected_version: int | None,
    also: Callable[[State, list[DomainEvent]], SameTransaction | None] | None,
) -> dict[str, Any]:
    """Run one command against one entity's stream and return its outcome.

    A command_id seen before returns its first outcome without deciding again; a caller's
    ``expected_version`` that is stale raises ConcurrencyError (HTTP 409). ``outcome`` builds
    the answer from the state after the new events; ``also`` may add writes that must commit
    in the same transaction as the events.
    """
    aggregate = decider.aggregate.name
    stream_id = decider.aggregate.stream_id(entity_id)
    stream = await store.load(stream_id, decider.snapshot_kind, ctx.command_id)
    if stream.earlier_outcome is not None:  # a retry: the first answer, nothing decided
        _same_request(ctx, stream.earlier_request_digest, aggregate)
        count_command(aggregate, "duplicate")
        return stream.earlier_outcome
    state = decider.restore(stream)
    try:
        # Decided before the If-Match check: a caller who may not touch this entity learns
        # nothing from it, not even its version.
        new_events = decider.decide(command, state)
    except DomainError:
        count_command(aggregate, "refused")
        raise
    if expected_version is not None and expected_version != stream.version:
        count_command(aggregate, "conflict")
        raise ConcurrencyError(stream_id, expected_version, stream.version)
    new_state = decider.fold(new_events, state)
    new_version = stream.version + len(new_events)
    result = {**outcome(new_state), "version": new_version}
    since_snapshot = new_version - (stream.snapshot.version if stream.snapshot else 0)
    snapshot = decider.snapshot(new_state, new_version) \
        if new_events and since_snapshot >= decider.snapshot_every else None
    try:
        await store.append(stream_id, stream.version, new_events, ctx, result,
                           also=also(new_state, new_events) if also else None,
                           snapshot=snapshot)
    except DuplicateCommand as dup:  # a concurrent retry of the same command won the race
        _same_request(ctx, dup.request_digest, aggregate)
        count_command(aggregate, "duplicate")
        return dup.outcome
    except ConcurrencyError:
        count_command(aggregate, "conflict")
        raise
    count_command(aggregate, "accepted")
    return result


async def handle_new_entities(store: EventStore, decider: Decider,
                              commands: list[tuple[str, Any]], ctx: CommandContext,
                              outcome: dict[str, Any]) -> dict[str, Any]:
    """Create several new entities as one command (an import of many questions): every
    decision is made first, on the empty state (any refusal refuses them all), then every new
    stream is stored in one atomic write. A retry returns the first outcome."""
    aggregate = decider.aggregate.name
    if not commands:
        raise Invalid("nothing_to_create", "nothing to create")
    first = await store.load(decider.aggregate.stream_id(commands[0][0]), None, ctx.command_id)
    if first.earlier_outcome is not None:
        _same_request(ctx, first.earlier_request_digest, aggregate)
        count_command(aggregate, "duplicate")
        return first.earlier_outcome
    def decide_all():
        return [(decider.aggregate.stream_id(entity_id), decider.decide(command, decider.initial))
                for entity_id, command in commands]

    try:
        # Deciding 10,000 questions is a second of CPU: in a worker thread, so the event loop
        # goes on answering other requests (autosaves) meanwhile.
        streams = decide_all() if len(commands) < BULK else await asyncio.to_thread(decide_all)
    except DomainError:
        count_command(aggregate, "refused")
        raise
    try:
        await store.start_streams(streams, ctx, outcome)
    except DuplicateCommand as dup:
        _same_request(ctx, dup.request_digest, aggregate)
        count_command(aggregate, "duplicate")
        return dup.outcome
    except ConcurrencyError:
        count_command(aggregate, "conflict")
        raise
    count_command(aggregate, "accepted")
    return outcome
