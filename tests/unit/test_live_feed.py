"""The live feed routes each announcement to the pages watching its row, or its exam."""
from __future__ import annotations

import asyncio
import json

import pytest

from query_api.live import QUEUE_SIZE, RESYNC, LiveFeed

CHANNEL = "soems_attempt_changed"


def announce(feed: LiveFeed, **change) -> None:
    feed._heard(None, 0, CHANNEL, json.dumps(change))


def drained(queue: asyncio.Queue) -> list[dict]:
    return [queue.get_nowait() for _ in range(queue.qsize())]


async def test_a_change_reaches_its_rows_watchers_and_its_exams_watchers_only():
    feed = LiveFeed(None, (CHANNEL,))
    async with feed.watch(CHANNEL, "attempt-1") as mine, \
            feed.watch(CHANNEL, "attempt-2") as other, \
            feed.watch(CHANNEL, "exam-a", by="exam_id") as exam_a, \
            feed.watch(CHANNEL, "exam-b", by="exam_id") as exam_b:
        announce(feed, key="attempt-1", version=3, status="in_progress", exam_id="exam-a")
        assert drained(mine) == [{"type": "changed", "version": 3, "status": "in_progress",
                                  "exam_id": "exam-a"}]
        assert drained(exam_a) == [{"type": "changed", "version": 3, "status": "in_progress",
                                    "exam_id": "exam-a"}]
        assert drained(other) == [] and drained(exam_b) == []
    assert not feed._watchers  # every page that left is forgotten


async def test_a_page_far_behind_is_told_once_to_read_again():
    feed = LiveFeed(None, (CHANNEL,))
    async with feed.watch(CHANNEL, "exam-a", by="exam_id") as exam:
        for n in range(QUEUE_SIZE + 5):
            announce(feed, key=f"attempt-{n}", version=1, exam_id="exam-a")
        assert RESYNC in drained(exam)


async def test_unreadable_announcements_and_unknown_groups_are_refused():
    feed = LiveFeed(None, (CHANNEL,))
    async with feed.watch(CHANNEL, "attempt-1") as mine:
        feed._heard(None, 0, CHANNEL, "not json")
        announce(feed, key="attempt-1")  # no version
        assert drained(mine) == []
    with pytest.raises(ValueError):
        async with feed.watch(CHANNEL, "someone", by="student_id"):
            pass


def test_uvicorns_lines_per_socket_are_left_out_and_its_warnings_kept(caplog):
    import logging

    from query_api.live import quiet_socket_access_lines

    quiet_socket_access_lines()
    quiet_socket_access_lines()  # once is enough: the lifespan runs again in tests
    uvicorn = logging.getLogger("uvicorn.error")
    assert len(uvicorn.filters) == len(set(map(type, uvicorn.filters)))
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        uvicorn.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/v1/live")
        uvicorn.info("connection open")
        uvicorn.info("connection closed")
        uvicorn.info("Application startup complete.")
        uvicorn.warning("connection closed")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "Application startup complete."), ("WARNING", "connection closed")]
