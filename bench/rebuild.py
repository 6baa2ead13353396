"""Benchmark: how fast each projection rebuilds from offset 0.

    .venv/bin/python bench/rebuild.py [--seed-exams 30000] [--only exam_catalogue,...]

Needs `make run` (the relay publishes what the seeding appends). ``--seed-exams N`` first
appends N exams (drafted, edited, published: 3 events each) through the event store, in large
transactions, as a bench teacher, and waits until the relay has published them; then every
projection (or those named) is rebuilt with the same code as ``soems projections rebuild``,
into a shadow table or collection that is swapped in. It prints, per projection, the events
replayed, the seconds and the events per second; for PostgreSQL, the time split into its
phases (starting the worker processes, the replay itself with its rate, the last writes, the
catch-up and swap).
"""
from __future__ import annotations

import argparse
import asyncio
import platform
import time
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from eventlog.postgres import create_pool
from eventlog.projection import PostgresProjection, rebuild_mongo, rebuild_postgres
from eventlog.store import CommandContext, PostgresEventStore
from projections import all_projections
from schemas.envelope import Actor
from schemas.events.exam import EXAM, ExamDrafted, ExamPublished, ExamUpdated
from settings import load_settings

SEED_STREAMS_PER_TRANSACTION = 200


async def seed(s, exams: int) -> None:
    pool = await create_pool(s, min_size=1, max_size=4)
    store = PostgresEventStore(pool)
    teacher = Actor(user_id=f"bench-rebuild-{uuid4().hex[:8]}", role="teacher")
    opens = datetime.now(timezone.utc) + timedelta(days=30)
    started = time.perf_counter()

    async def one(number: int) -> None:
        exam_id = f"bench-{uuid4()}"
        events = [
            ExamDrafted(exam_id=exam_id, teacher_id=teacher.user_id, title=f"Seed {number}",
                        description="Chapters one to four. " * 10, instructions="Closed book.",
                        duration_minutes=60),
            ExamUpdated(exam_id=exam_id, title=f"Seed {number} (final)",
                        description="Chapters one to five. " * 10, instructions="Closed book.",
                        duration_minutes=90, window_opens_at=opens,
                        window_closes_at=opens + timedelta(days=1)),
            ExamPublished(exam_id=exam_id, teacher_id=teacher.user_id,
                          published_at=datetime.now(timezone.utc))]
        await store.append(EXAM.stream_id(exam_id), 0, events,
                           CommandContext(command_id=uuid4(), actor=teacher), {"seed": True})

    for first in range(0, exams, SEED_STREAMS_PER_TRANSACTION):
        await asyncio.gather(*(one(n) for n in range(
            first, min(first + SEED_STREAMS_PER_TRANSACTION, exams))))
    print(f"seeded {exams:,} exams ({exams * 3:,} events) in {time.perf_counter() - started:.1f} s;"
          f" waiting for the relay", flush=True)
    while await pool.fetchval("SELECT count(*) FROM eventlog.outbox"):
        await asyncio.sleep(0.5)
    await pool.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed-exams", type=int, default=0)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    s = load_settings()
    if args.seed_exams:
        await seed(s, args.seed_exams)
    wanted = [n for n in args.only.split(",") if n] or list(all_projections())
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"{len(__import__('os').sched_getaffinity(0))} cores")
    print(f"{'projection':<16} {'store':<10} {'events':>10} {'seconds':>8} {'events/s':>10}")
    for name in wanted:
        p = all_projections()[name]
        is_postgres = isinstance(p, PostgresProjection)
        rebuild = rebuild_postgres if is_postgres else rebuild_mongo
        seen = {"total": 0}

        def progress(done: int, total: int) -> None:
            seen["total"] = total

        phases: dict[str, float] = {}
        started = time.perf_counter()
        applied = await (rebuild(s, p, progress, phases=phases) if is_postgres
                         else rebuild(s, p, progress))
        took = time.perf_counter() - started
        print(f"{name:<16} {'PostgreSQL' if is_postgres else 'MongoDB':<10} "
              f"{seen['total']:>10,} {took:>8.2f} {seen['total'] / took:>10,.0f}   "
              f"({applied:,} changed a row)", flush=True)
        for phase, seconds in phases.items():
            rate = (f"  {seen['total'] / seconds:>10,.0f} events/s"
                    if phase.startswith("replay") and seconds > 0 else "")
            print(f"    {phase:<58} {seconds:>6.2f} s{rate}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
