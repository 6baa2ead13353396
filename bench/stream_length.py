"""Benchmark: does a command cost the same on a long stream as on a short one?

    .venv/bin/python bench/stream_length.py [--lengths 1,100,1000,10000] [--commands 200]

Needs `make run` (the command API on :8000). For each length N it drafts an exam through the
API, grows its stream to N events with real ``ExamUpdated`` events appended through the event
store (in chunks, the way a stream that lived through N commands looks, its latest snapshot
included), then times ``--commands`` sequential ``PUT /v1/exams/{id}`` over HTTP after a short
warm-up. It prints p50/p95/p99 and throughput per length, and the ratio of the longest
stream's p50 to the shortest's (the target is at most 1.5). It also times the load alone
(``EventStore.load`` + fold, in-process) to show where the time goes.

Before snapshots, 1,000 sequential PUTs on one draft went from 8.0 ms (first 50) to 58.9 ms
(last 50) at the median.
"""
from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import time
from pathlib import Path
from uuid import uuid4

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commands import (consumer_lag, exam_body, make_teacher, percentile,  # noqa: E402
                      projection_metrics_urls)

from command_api.exams.decider import exam_decider  # noqa: E402
from command_api.handling import load_state  # noqa: E402
from eventlog.postgres import create_pool  # noqa: E402
from eventlog.store import CommandContext, PostgresEventStore  # noqa: E402
from schemas.envelope import Actor  # noqa: E402
from schemas.events.exam import EXAM, ExamUpdated  # noqa: E402
from settings import load_settings  # noqa: E402

SEED_CHUNK = 500
WARM_UP = 5
SETTLE_LIMIT_S = 300


def stats(values_ms: list[float]) -> str:
    ordered = sorted(values_ms)
    return " / ".join(f"{percentile(ordered, p):6.2f}" for p in (50, 95, 99))


async def grow(store: PostgresEventStore, exam_id: str, teacher_id: str, length: int) -> None:
    """Append ExamUpdated events until the stream has ``length`` events, keeping the snapshot
    a stream of that length would have."""
    actor = Actor(user_id=teacher_id, role="teacher")
    stream_id = EXAM.stream_id(exam_id)
    loaded = await store.load(stream_id)
    version = loaded.version
    state = exam_decider.restore(loaded)
    while version < length:
        count = min(SEED_CHUNK, length - version)
        events = [ExamUpdated(exam_id=exam_id, title=f"Seed {version + i}", description="",
                              instructions="", duration_minutes=60) for i in range(count)]
        state = exam_decider.fold(events, state)
        snapshot = exam_decider.snapshot(state, version + count)
        await store.append(stream_id, version, events,
                           CommandContext(command_id=uuid4(), actor=actor), {"seed": True},
                           snapshot=snapshot)
        version += count


async def settle(s, pool) -> None:
    """Wait until the relay published the seed and every projection is at the head, so the
    timed commands do not share the machine with the seed's processing."""
    deadline = time.monotonic() + SETTLE_LIMIT_S
    urls = projection_metrics_urls(s)
    while time.monotonic() < deadline:
        pending = await pool.fetchval("SELECT count(*) FROM eventlog.outbox")
        lags = [await asyncio.to_thread(consumer_lag, url) for url in urls.values()]
        if pending == 0 and all(lag == 0 for lag in lags if lag is not None):
            return
        await asyncio.sleep(0.5)
    print(f"  (not settled after {SETTLE_LIMIT_S} s: measuring anyway)")


async def time_loads(store: PostgresEventStore, exam_id: str, n: int = 50) -> list[float]:
    took = []
    for _ in range(n):
        started = time.perf_counter()
        await load_state(store, exam_decider, exam_id)
        took.append((time.perf_counter() - started) * 1000)
    return took


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="1,100,1000,10000")
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    s = load_settings()
    lengths = [int(n) for n in args.lengths.split(",")]
    url = args.url or f"http://127.0.0.1:{s.command_api_port}"
    pool = await create_pool(s, min_size=1, max_size=2)
    store = PostgresEventStore(pool)
    print(f"machine: {platform.machine()}, {platform.python_version()}, "
          f"{len(__import__('os').sched_getaffinity(0))} cores; {args.commands} PUTs per length")
    print(f"{'events before':>14} | {'PUT p50 / p95 / p99 ms':>26} | {'PUTs/s':>7} | "
          f"{'load+fold p50 / p95 / p99 ms':>30}")
    medians = {}
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        token, teacher_id, _ = await make_teacher(http)
        http.headers["Authorization"] = f"Bearer {token}"
        for length in lengths:
            drafted = await http.post("/v1/exams", json=exam_body(length),
                                      headers={"Idempotency-Key": str(uuid4())})
            drafted.raise_for_status()
            exam_id = drafted.json()["exam_id"]
            await grow(store, exam_id, teacher_id, length)
            await settle(s, pool)
            took = []
            started_all = time.perf_counter()
            for i in range(WARM_UP + args.commands):
                started = time.perf_counter()
                answer = await http.put(f"/v1/exams/{exam_id}", json=exam_body(i),
                                        headers={"Idempotency-Key": str(uuid4())})
                answer.raise_for_status()
                if i == WARM_UP - 1:
                    started_all = time.perf_counter()
                if i >= WARM_UP:
                    took.append((time.perf_counter() - started) * 1000)
            rate = args.commands / (time.perf_counter() - started_all)
            loads = await time_loads(store, exam_id)
            medians[length] = percentile(sorted(took), 50)
            print(f"{length:>14,} | {stats(took):>26} | {rate:7.1f} | {stats(loads):>30}")
    await pool.close()
    first, last = medians[lengths[0]], medians[lengths[-1]]
    print(f"p50 at {lengths[-1]:,} events / p50 at {lengths[0]:,}: {last / first:.2f}x "
          f"(target <= 1.5x)")


if __name__ == "__main__":
    asyncio.run(main())
