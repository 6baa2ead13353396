"""Dependencies of the command routes: the event store, and the command's context."""
from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, Header, Request

from eventlog.store import CommandContext, EventStore
from schemas.envelope import Actor
from schemas.refusals import Invalid
from security.dependencies import CurrentUser


async def _store(request: Request) -> EventStore:
    return request.app.state.store


async def _pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


Store = Annotated[EventStore, Depends(_store)]
Pool = Annotated[asyncpg.Pool, Depends(_pool)]

# The client's command id: a retry with the same key returns the first answer and appends
# nothing, so autosave and flaky networks can retry freely.
IdempotencyKey = Annotated[UUID, Header(alias="Idempotency-Key",
                                        description="The client-made command id (a UUID).")]


async def _expected_version(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """``If-Match: "3"`` (the version the client read) makes a stale write answer 409."""
    if if_match is None:
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    # ASCII digits only ("²" passes str.isdigit) and a bounded length: a version is an int4.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise Invalid("version", "If-Match must be the stream version the client read, "
                      "e.g. \"3\"", field="If-Match")
    return int(raw)


ExpectedVersion = Annotated[int | None, Depends(_expected_version)]


async def command_context(user: CurrentUser, key: IdempotencyKey) -> CommandContext:
    return CommandContext(command_id=key, actor=Actor(user_id=user.user_id, role=user.role))


Command = Annotated[CommandContext, Depends(command_context)]
