"""The relay: publishes the outbox to Kafka, in order, at least once.

Woken by LISTEN/NOTIFY (with a polling fallback), it sends a batch of outbox rows with an
idempotent producer (acks=all, key = stream id so each stream keeps its order) and deletes the
rows only after Kafka acknowledged every one. Killed at any point, it publishes again what was
not yet deleted: consumers de-duplicate by stream version. A PostgreSQL advisory lock makes
exactly one relay active; others wait as hot standbys.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections import Counter

import asyncpg
from aiokafka import AIOKafkaProducer

from eventlog import metrics
from eventlog.outages import outlive_outages, pace_kafka_metadata_retries
from eventlog.postgres import close_pool, create_pool
from eventlog.chain import CHAIN_HEADER, VERSION_HEADER
from eventlog.store import OUTBOX_CHANNEL, OutboxRow, delete_published, read_outbox
from eventlog.topics import ensure_topics
from settings import Settings, get_settings

log = logging.getLogger("soems.relay")
RELAY_LOCK = 7_501_000_002
BATCH = 500
POLL_SECONDS = 1.0
# After a wake-up, wait this long for more commits: one read, produce and delete then carries
# several commands' events (fewer round trips, fewer Kafka requests) for a few ms of latency.
LINGER_SECONDS = 0.005
DEPTH_EVERY_S = 1.0


def headers_of(row: OutboxRow) -> list[tuple[str, bytes]]:
    headers = [("event_type", row.event_type.encode()), ("event_id", str(row.event_id).encode())]
    if row.chain_hash is not None:  # the tamper evidence travels with the event
        headers += [(CHAIN_HEADER, bytes(row.chain_hash)),
                    (VERSION_HEADER, str(row.stream_version).encode())]
    return headers


async def publish_pending(conn: asyncpg.Connection, producer: AIOKafkaProducer) -> int:
    """Publish one batch of outbox rows; return how many were published."""
    rows = await read_outbox(conn, BATCH)
    if not rows:
        return 0
    deliveries = [
        await producer.send(r.topic, value=r.body, key=r.key.encode(), headers=headers_of(r))
        for r in rows
    ]
    await asyncio.gather(*deliveries)  # every row acknowledged by Kafka (acks=all)
    await delete_published(conn, [r.position for r in rows])
    acked = time.time()
    for r in rows:  # created_at is the command transaction's now(), on PostgreSQL's clock
        metrics.RELAY_PUBLISH_SECONDS.observe(max(acked - r.created_at.timestamp(), 0))
    metrics.RELAY_BATCH_SIZE.observe(len(rows))
    for topic, n in Counter(r.topic for r in rows).items():
        metrics.EVENTS_PUBLISHED.labels(topic).inc(n)
    return len(rows)


async def run(s: Settings, stop: asyncio.Event) -> None:
    await asyncio.to_thread(ensure_topics, s)
    pool = await create_pool(s, min_size=1, max_size=2, role="relay")
    conn = await pool.acquire()
    wake = asyncio.Event()
    try:
        log.info("waiting for the relay lock")
        while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK):
            if await _wait(stop, asyncio.Event(), 1.0):
                return
        log.info("active: publishing the outbox to %s", s.kafka_bootstrap)
        await conn.add_listener(OUTBOX_CHANNEL, lambda *_: wake.set())
        producer = AIOKafkaProducer(bootstrap_servers=s.kafka_bootstrap, acks="all",
                                    enable_idempotence=True, linger_ms=2)
        await producer.start()
        depth_measured_at = 0.0
        try:
            while not stop.is_set():
                wake.clear()
                await asyncio.sleep(LINGER_SECONDS)
                published = await publish_pending(conn, producer)
                if time.monotonic() - depth_measured_at >= DEPTH_EVERY_S:
                    # Two primary-key lookups rather than count(*), which would scan a
                    # backlog; an upper bound when positions have holes.
                    metrics.OUTBOX_DEPTH.set(await conn.fetchval(
                        "SELECT coalesce(max(position) - min(position) + 1, 0) "
                        "FROM eventlog.outbox"))
                    depth_measured_at = time.monotonic()
                if published == BATCH:
                    continue  # a backlog: the next batch at once
                # A short batch means the outbox was drained at the read: one read, one
                # produce and one delete per wake-up. A commit since the read has notified
                # (``wake`` is set again), so nothing waits longer than the poll.
                await _wait(stop, wake, POLL_SECONDS)
        finally:
            await producer.stop()
    finally:
        try:
            await pool.release(conn)
        finally:
            await close_pool(pool)


async def _wait(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> bool:
    """Sleep until woken, stopped, or the timeout; True when asked to stop."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for w in waiters:
        w.cancel()
    return stop.is_set()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    pace_kafka_metadata_retries()
    stop = asyncio.Event()

    try:
        metrics.serve_metrics(metrics.metrics_port(get_settings().metrics_port_base,
                                                   metrics.RELAY))
    except OSError as exc:  # a hot standby beside the active relay: its port is taken
        logging.getLogger("soems.relay").warning("no metrics endpoint: %s", exc)

    async def runner() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        s = get_settings()
        # The relay has no input of its own to be wrong about (rows are deleted only after
        # Kafka acknowledged them): whatever stops it is cured by starting again, including a
        # client library's own confusion in the middle of a broker's or PostgreSQL's restart.
        # (CI once saw it exit during the fault test's restarts; its log was not kept.)
        await outlive_outages(lambda: run(s, stop), stop, "relay", outages=(Exception,))

    asyncio.run(runner())


if __name__ == "__main__":
    main()
