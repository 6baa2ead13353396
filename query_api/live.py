"""The live feed: what a projection announces (PostgreSQL NOTIFY, sent in the transaction that
wrote the row) reaches the pages that watch that row, through one LISTEN connection per
query API process.

A page is told only *that* its row changed (and to which version); it reads the row again
through the ordinary route, so what it sees passes the same checks as any read. A page watches
one row (by its key) or every row of a group that the announcement names (``exam_id``: the
teacher's progress of an exam). When the connection to PostgreSQL is lost and made again,
every watcher is told to read again: a notification sent meanwhile is gone for good.

The socket side is here too: the first message carries the access token (a browser cannot
set a WebSocket's headers), refusals close with 4401/4404 naming the code, and a heartbeat
every 20 s rechecks the session.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict
from datetime import datetime, timezone
from typing import AsyncIterator

from fastapi import WebSocket, WebSocketDisconnect

from eventlog.postgres import connect
from schemas.refusals import Unauthenticated
from security.dependencies import principal_of
from security.tokens import Principal
from settings import Settings, get_settings

log = logging.getLogger("soems.live")

# A page more than this many changes behind is told once to read again (it rereads the whole
# row anyway): a slow client never makes the feed hold memory for it.
QUEUE_SIZE = 8
RECONNECT_S = 1.0
CHECK_EVERY_S = 10.0

RESYNC = {"type": "resync"}
# Fields of an announcement a page may watch by, besides the row's key.
GROUPS = ("exam_id",)


class _NoSocketAccessLines(logging.Filter):
    """uvicorn logs each WebSocket's handshake, opening and closing at INFO on its error
    logger, apart from the access log the query API runs without: at an exam's start that is
    three lines per student, each formatted here and relayed by ``soems up`` (7 % of the query
    API's time in the Start burst, measured). Warnings and errors still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.INFO and (
            record.msg in ("connection open", "connection closed")
            or str(record.msg).startswith('%s - "WebSocket ')))


def quiet_socket_access_lines() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _NoSocketAccessLines) for f in logger.filters):
        logger.addFilter(_NoSocketAccessLines())


class LiveFeed:
    def __init__(self, s: Settings, channels: tuple[str, ...]):
        self._s, self._channels = s, channels
        # (channel, "key" or a group field, its value) -> the pages' queues
        self._watchers: dict[tuple[str, str, str], set[asyncio.Queue]] = defaultdict(set)
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="live-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.asynccontextmanager
    async def watch(self, channel: str, value: str,
                    by: str = "key") -> AsyncIterator[asyncio.Queue]:
        """A queue of ``{"type": "changed", "version": n, ...}`` (with what the projection
        announces of the row) and ``{"type": "resync"}`` for one row (``by="key"``) or every
        row of one group (``by="exam_id"``), for as long as the ``async with`` lasts."""
        if by != "key" and by not in GROUPS:
            raise ValueError(f"rows are not announced by {by!r}")
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        watched = (channel, by, value)
        self._watchers[watched].add(queue)
        try:
            yield queue
        finally:
            watchers = self._watchers.get(watched)
            if watchers is not None:
                watchers.discard(queue)
                if not watchers:
                    del self._watchers[watched]

    # --- one LISTEN connection, made again when lost --------------------------------------

    async def _listen(self) -> None:
        while True:
            conn = None
            try:
                conn = await connect(self._s, role="query")
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c: lost.set())
                for channel in self._channels:
                    await conn.add_listener(channel, self._heard)
                # Whatever changed while no one listened: every page reads again.
                self._tell_everyone(RESYNC)
                while not lost.is_set():
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(lost.wait(), CHECK_EVERY_S)
                    if not lost.is_set():
                        # A half-open TCP connection is only noticed by using it.
                        await conn.fetchval("SELECT 1", timeout=5)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # PostgreSQL restarting: listen again shortly
                log.warning("live feed: the PostgreSQL connection failed (%s); again in %.0f s",
                            exc, RECONNECT_S)
            finally:
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), 2)
            await asyncio.sleep(RECONNECT_S)

    def _heard(self, _conn, _pid, channel: str, payload: str) -> None:
        try:
            change = json.loads(payload)
            key = str(change.pop("key"))
            int(change["version"])
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("live feed: an unreadable notification on %s: %.200r", channel, payload)
            return
        message = {"type": "changed", **change}
        for queue in self._watchers.get((channel, "key", key), ()):
            _offer(queue, message)
        for group in GROUPS:
            if group in change:
                for queue in self._watchers.get((channel, group, str(change[group])), ()):
                    _offer(queue, message)

    def _tell_everyone(self, message: dict) -> None:
        for watchers in self._watchers.values():
            for queue in watchers:
                _offer(queue, message)


def _offer(queue: asyncio.Queue, message: dict) -> None:
    try:
        queue.put_nowait(message)
    except asyncio.QueueFull:
        # Behind by QUEUE_SIZE changes: drop them all for one "read again".
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(RESYNC)


# --- the socket ------------------------------------------------------------------------------

# WebSocket close codes (4000-4999 are the application's): the reason names the refusal.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
TOKEN_WAIT_S = 5.0
MAX_HELLO_CHARS = 8192  # a token, not a document
HEARTBEAT_S = 20.0  # under every proxy's idle timeout; each one also rechecks the session


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


async def signed_in(websocket: WebSocket) -> Principal | None:
    """Accept the socket and read the page's ``{"token": ...}``: who is asking, or None
    after closing it with 4401 (token missing, invalid, or its session ended)."""
    await websocket.accept()
    try:
        hello = await asyncio.wait_for(websocket.receive_text(), TOKEN_WAIT_S)
        token = json.loads(hello)["token"] if len(hello) <= MAX_HELLO_CHARS else None
        if not isinstance(token, str):
            raise ValueError("no token")
        return await principal_of(get_settings(), websocket.app.state.sessions, token)
    except WebSocketDisconnect:
        return None
    except (asyncio.TimeoutError, ValueError, KeyError, TypeError, Unauthenticated) as exc:
        code = exc.code if isinstance(exc, Unauthenticated) else "missing_token"
        await websocket.close(CLOSE_UNAUTHENTICATED, code)
        return None


async def relay_changes(websocket: WebSocket, user: Principal, changes: asyncio.Queue,
                        at_most_every_s: float = 0.0) -> None:
    """Send what ``changes`` brings until the page goes away or its session ends, with a
    heartbeat every HEARTBEAT_S. With ``at_most_every_s``, changes close together go as one
    ``{"type": "changed"}`` (a page that reads a whole exam again needs no more)."""
    gone = asyncio.create_task(_until_closed(websocket))
    sent_at = 0.0
    try:
        while not gone.done():
            got = asyncio.create_task(changes.get())
            await asyncio.wait({got, gone}, timeout=HEARTBEAT_S,
                               return_when=asyncio.FIRST_COMPLETED)
            if got.done():
                message = got.result()
                if at_most_every_s:
                    await asyncio.sleep(max(0.0, sent_at + at_most_every_s - time.monotonic()))
                    while not changes.empty():
                        changes.get_nowait()
                    message = {"type": message["type"]}  # changed, or resync
                await websocket.send_json(message)
                sent_at = time.monotonic()
                continue
            got.cancel()
            if gone.done():
                break
            if not await websocket.app.state.sessions.is_current(
                    user.user_id, user.session_id, user.session_epoch):
                await websocket.close(CLOSE_UNAUTHENTICATED, "session_ended")
                return
            await websocket.send_json({"type": "heartbeat", "server_time": now_iso()})
    except (WebSocketDisconnect, RuntimeError):
        pass  # the page went away while we wrote to it
    finally:
        gone.cancel()


async def _until_closed(websocket: WebSocket) -> None:
    """The page says nothing after its token; reading still notices its going away at once."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
