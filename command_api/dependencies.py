"""Dependencies of the command routes: the event store, and the command's context."""
from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
from fastapi import Depends, Header, Request

from eventlog.store import CommandContext, EventStore
from schemas.envelope import Actor
from schemas.refusals import Invalid
from security.dependencies import CurrentUser, SettingsDep
from security.personal_data import PersonalData
from settings import Settings


async def _store(request: Request) -> EventStore:
    return request.app.state.store


async def _pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


async def _personal(request: Request) -> PersonalData:
    return request.app.state.personal


Store = Annotated[EventStore, Depends(_store)]
Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Personal = Annotated[PersonalData, Depends(_personal)]

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


# Keys are the caller's own: the command id is derived from the caller and the key, so the
# same key sent by someone else is another command (it can neither read the owner's outcome
# nor stop the owner's command from running), as payment APIs scope keys to an account.
_COMMAND_IDS = uuid5(NAMESPACE_URL, "https://soems.org/command")
VISITOR = Actor(user_id="anonymous", role="visitor")  # who self-registers


def scoped_command_id(actor: Actor, key: UUID) -> UUID:
    return uuid5(_COMMAND_IDS, f"{actor.user_id}\n{key}")


@cache
def _digest_key(secret: str) -> bytes:
    return hashlib.sha256(b"soems request digest\n" + secret.encode()).digest()


def request_digest(s: Settings, method: str, path: str, body: bytes) -> bytes:
    """A digest of the request keyed with a server secret (a body can hold a password: a
    plain hash of it would be a fast-to-guess password hash in the commands table)."""
    message = b"\n".join([method.encode(), path.encode(), body])
    return hmac.new(_digest_key(s.jwt_secret), message, hashlib.sha256).digest()


async def _context_for(actor: Actor, key: UUID, request: Request, s: Settings) -> CommandContext:
    digest = request_digest(s, request.method, request.url.path, await request.body())
    return CommandContext(command_id=scoped_command_id(actor, key), actor=actor,
                          request_digest=digest)


async def command_context(user: CurrentUser, key: IdempotencyKey, request: Request,
                          s: SettingsDep) -> CommandContext:
    return await _context_for(Actor(user_id=user.user_id, role=user.role), key, request, s)


async def visitor_command_context(key: IdempotencyKey, request: Request,
                                  s: SettingsDep) -> CommandContext:
    return await _context_for(VISITOR, key, request, s)


Command = Annotated[CommandContext, Depends(command_context)]
VisitorCommand = Annotated[CommandContext, Depends(visitor_command_context)]
