"""The live feed: what a projection announces (PostgreSQL NOTIFY, sent in the transaction that
wrote the row) reaches the pages that watch that row, through one LISTEN connection per
query API process.

A page is told only *that* its row changed (and to which version); it reads the row again
through the ordinary route, so what it sees passes the same checks as any read. When the
connection to PostgreSQL is lost and made again, every watcher is told to read again: a
notification sent meanwhile is gone for good.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import AsyncIterator

from eventlog.postgres import connect
from settings import Settings

log = logging.getLogger("soems.live")

# A page more than this many changes behind is told once to read again (it rereads the whole
# row anyway): a slow client never makes the feed hold memory for it.
QUEUE_SIZE = 8
RECONNECT_S = 1.0
CHECK_EVERY_S = 10.0

RESYNC = {"type": "resync"}


class LiveFeed:
    def __init__(self, s: Settings, channels: tuple[str, ...]):
        self._s, self._channels = s, channels
        self._watchers: dict[tuple[str, str], set[asyncio.Queue]] = defaultdict(set)
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="live-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.asynccontextmanager
    async def watch(self, channel: str, key: str) -> AsyncIterator[asyncio.Queue]:
        """A queue of ``{"type": "changed", "version": n, ...}`` (with what the projection
        announces of the row) and ``{"type": "resync"}`` for one row, for as long as the
        ``async with`` lasts."""
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self._watchers[(channel, key)].add(queue)
        try:
            yield queue
        finally:
            watchers = self._watchers.get((channel, key))
            if watchers is not None:
                watchers.discard(queue)
                if not watchers:
                    del self._watchers[(channel, key)]

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
        for queue in self._watchers.get((channel, key), ()):
            _offer(queue, {"type": "changed", **change})

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
