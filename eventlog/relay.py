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

import asyncpg
from aiokafka import AIOKafkaProducer

from eventlog.postgres import create_pool, setup_event_store
from eventlog.store import OUTBOX_CHANNEL
from eventlog.topics import ensure_topics
from soems.settings import Settings, get_settings

log = logging.getLogger("soems.relay")
RELAY_LOCK = 7_501_000_002
BATCH = 500
POLL_SECONDS = 1.0


async def publish_pending(conn: asyncpg.Connection, producer: AIOKafkaProducer) -> int:
    """Publish one batch of outbox rows; return how many were published."""
    rows = await conn.fetch(
        "SELECT position, topic, message_key, event_id, event_type, body FROM eventlog.outbox "
        "ORDER BY position LIMIT $1", BATCH)
    if not rows:
        return 0
    deliveries = [
        await producer.send(
            r["topic"], value=bytes(r["body"]), key=r["message_key"].encode(),
            headers=[("event_type", r["event_type"].encode()),
                     ("event_id", str(r["event_id"]).encode())])
        for r in rows
    ]
    await asyncio.gather(*deliveries)  # every row acknowledged by Kafka (acks=all)
    # Delete exactly what was published, never a range: a transaction that took a lower
    # position may commit after our SELECT, and its row must wait for the next batch.
    await conn.execute("DELETE FROM eventlog.outbox WHERE position = ANY($1::bigint[])",
                       [r["position"] for r in rows])
    return len(rows)


async def run(s: Settings, stop: asyncio.Event) -> None:
    await asyncio.to_thread(ensure_topics, s)
    pool = await create_pool(s, min_size=1, max_size=2)
    await setup_event_store(pool)
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
        try:
            while not stop.is_set():
                wake.clear()
                published = await publish_pending(conn, producer)
                if published:
                    log.debug("published %d events", published)
                    continue
                await _wait(stop, wake, POLL_SECONDS)
        finally:
            await producer.stop()
    finally:
        await pool.release(conn)
        await pool.close()


async def _wait(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> bool:
    """Sleep until woken, stopped, or the timeout; True when asked to stop."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for w in waiters:
        w.cancel()
    return stop.is_set()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = asyncio.Event()

    async def runner() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(get_settings(), stop)

    asyncio.run(runner())


if __name__ == "__main__":
    main()
