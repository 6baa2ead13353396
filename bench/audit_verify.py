"""Benchmark: how fast `soems audit verify` checks the store (events/s), over N events.

    .venv/bin/python bench/audit_verify.py [--events 1000000] [--streams 20000]

Needs the local stack (`make run` or `soems stack up`). Synthetic events (300-byte bodies, as
an exam event's) are linked in Python exactly as PostgreSQL's trigger links them, copied into
a scratch schema (never the real log), sealed with one checkpoint, then verified with the same code as the CLI. Prints the time split into reading (PostgreSQL and
asyncpg) and checking (hashing, the chain and the checkpoint roots).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import time
import uuid
from datetime import datetime, timedelta, timezone

from eventlog.audit import FETCH, seal, verify_store
from eventlog.chain import link, signing_key
from eventlog.postgres import create_pool
from settings import load_settings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--streams", type=int, default=20_000)
    args = parser.parse_args()
    s = load_settings()
    pool = await create_pool(s, min_size=1, max_size=2)
    schema = f"bench_audit_{uuid.uuid4().hex[:6]}"
    key = signing_key(secrets.token_urlsafe(32))
    try:
        await pool.execute(
            f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.events (LIKE eventlog.events); "
            f"CREATE TABLE {schema}.checkpoints (LIKE eventlog.checkpoints INCLUDING ALL)")
        started = time.perf_counter()
        body = os.urandom(300)
        previous: dict[int, tuple[int, bytes]] = {}
        at = datetime.now(timezone.utc) - timedelta(hours=1)
        rows = []
        for position in range(1, args.events + 1):
            stream = position % args.streams
            version, before = previous.get(stream, (0, None))
            stream_id = f"exam-bench-{stream}"
            chained = link(before, stream_id, version + 1, body)
            previous[stream] = (version + 1, chained)
            rows.append((stream_id, version + 1, uuid.uuid4(), "ExamUpdated", "exam", at,
                         uuid.uuid4(), body, position, chained))
        async with pool.acquire() as conn:
            await conn.copy_records_to_table(
                "events", schema_name=schema, records=rows,
                columns=["stream_id", "stream_version", "event_id", "event_type", "aggregate",
                         "occurred_at", "command_id", "body", "global_position", "chain_hash"])
        del rows
        tables = {"table": f"{schema}.events", "checkpoint_table": f"{schema}.checkpoints"}
        await pool.execute(f"CREATE INDEX ON {schema}.events (global_position)")
        print(f"seeded {args.events:,} events in {args.streams:,} streams in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        sealed = await seal(pool, key, 0, **tables)
        # Reading alone: the same cursor, nothing checked.
        async with pool.acquire() as conn:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                t0 = time.perf_counter()
                n = 0
                async for _ in conn.cursor(f"SELECT global_position, stream_id, stream_version, "
                                           f"body, chain_hash FROM {schema}.events "
                                           f"ORDER BY global_position", prefetch=FETCH):
                    n += 1
                read_s = time.perf_counter() - t0
        report = await verify_store(pool, **tables)
        print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
              f"{len(os.sched_getaffinity(0))} cores; sealed {sealed[1]:,} events")
        print(f"verify: {report.events:,} events, {report.checkpoints} checkpoint(s) in "
              f"{report.seconds:.2f} s = {report.events / report.seconds:,.0f} events/s; "
              f"holds: {report.holds}")
        print(f"  of which reading (PostgreSQL + asyncpg, cursor of {FETCH:,}): {read_s:.2f} s "
              f"({n / read_s:,.0f} rows/s); checking: {report.seconds - read_s:.2f} s")
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
