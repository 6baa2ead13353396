"""Deciders and command handling: load a stream, fold it with ``evolve``, ``decide`` the new
events (pure), append them with the expected version. Everything impure lives in ``handle``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from eventlog.store import (CommandContext, ConcurrencyError, DuplicateCommand, EventStore,
                            SameTransaction)
from schemas.envelope import DomainEvent

State = TypeVar("State")
Command = TypeVar("Command")


class DomainError(Exception):
    """A command refused by the domain. ``status`` is the HTTP answer, ``field`` the input at
    fault when there is one, ``code`` a stable machine-readable reason."""

    status = 409

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Invalid(DomainError):
    status = 422


@dataclass(frozen=True)
class Decider(Generic[Command, State]):
    initial: State
    decide: Callable[[Command, State], list[DomainEvent]]
    evolve: Callable[[State, DomainEvent], State]

    def fold(self, events: list[DomainEvent], state: State | None = None) -> State:
        state = self.initial if state is None else state
        for event in events:
            state = self.evolve(state, event)
        return state


async def handle(
    store: EventStore, decider: Decider, stream_id: str, command: Any, ctx: CommandContext,
    outcome: Callable[[State], dict[str, Any]],
    expected_version: int | None = None,
    also: Callable[[State, list[DomainEvent]], SameTransaction | None] | None = None,
) -> dict[str, Any]:
    """Run one command against one stream and return its outcome.

    A command_id seen before returns its first outcome without deciding again; a caller's
    ``expected_version`` that is stale raises ConcurrencyError (HTTP 409). ``outcome`` builds
    the answer from the state after the new events; ``also`` may add writes that must commit
    in the same transaction as the events.
    """
    earlier = await store.outcome_of(ctx.command_id)
    if earlier is not None:
        return earlier
    stream = await store.load(stream_id)
    if expected_version is not None and expected_version != stream.version:
        raise ConcurrencyError(stream_id, expected_version, stream.version)
    state = decider.fold([e.payload for e in stream.events])
    new_events = decider.decide(command, state)
    new_state = decider.fold(new_events, state)
    result = {**outcome(new_state), "version": stream.version + len(new_events)}
    try:
        await store.append(stream_id, stream.version, new_events, ctx, result,
                           also=also(new_state, new_events) if also else None)
    except DuplicateCommand as dup:  # a concurrent retry of the same command won the race
        return dup.outcome
    return result
