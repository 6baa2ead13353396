"""Auditing the log (``soems audit seal | verify | public-key``): see eventlog/chain.py.

``verify_store`` reads the event store in global order and checks every link and every signed
checkpoint; ``verify_kafka`` reads topics from offset 0 and checks every published event's
link from its headers. Both report the first link that does not hold.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from eventlog.chain import (CHAIN_HEADER, GENESIS_ROOT, VERSION_HEADER, Break, ChainCheck,
                            Checkpoint, CheckpointCheck, checkpoint_message, first_forged,
                            public_key_bytes, roll)
from settings import Settings

EVENTS, CHECKPOINTS = "eventlog.events", "eventlog.checkpoints"
# Events younger than this are left to the next seal: an append that took its global position
# earlier may still be committing, and a checkpoint must never skip it.
SEAL_MARGIN_SECONDS = 60
FETCH = 20_000
SEAL_LOCK = 7_501_000_003


@dataclass(frozen=True)
class Report:
    events: int
    checkpoints: int
    seconds: float
    first_break: Break | None
    redelivered: int = 0

    @property
    def holds(self) -> bool:
        return self.first_break is None


async def seal(pool: asyncpg.Pool, key, margin_seconds: float = SEAL_MARGIN_SECONDS,
               table: str = EVENTS, checkpoint_table: str = CHECKPOINTS) -> tuple[int, int] | None:
    """Sign a checkpoint over every event since the last one (older than the margin); return
    (position, events covered), or None when there is nothing new to seal."""
    async with pool.acquire() as conn:
        async with conn.transaction():
            # One sealer at a time (an advisory lock: the auditor role may not lock tables).
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SEAL_LOCK)
            last = await conn.fetchrow(f"SELECT position, root FROM {checkpoint_table} "
                                       f"ORDER BY position DESC LIMIT 1")
            position, root = (last["position"], bytes(last["root"])) if last else (0, GENESIS_ROOT)
            upto = await conn.fetchval(
                f"SELECT max(global_position) FROM {table} WHERE global_position > $1 "
                f"AND occurred_at < now() - make_interval(secs => $2)", position,
                float(margin_seconds))
            if upto is None:
                return None
            count = 0
            cursor = conn.cursor(
                f"SELECT chain_hash FROM {table} WHERE global_position > $1 "
                f"AND global_position <= $2 ORDER BY global_position", position, upto,
                prefetch=FETCH)
            async for row in cursor:
                root = roll(root, bytes(row["chain_hash"]))
                count += 1
            signature = key.sign(checkpoint_message(upto, root))
            await conn.execute(
                f"INSERT INTO {checkpoint_table} (position, events, root, signature, public_key) "
                f"VALUES ($1, $2, $3, $4, $5)", upto, count, root, signature, public_key_bytes(key))
            return upto, count


async def verify_store(pool: asyncpg.Pool, public_key: bytes | None = None,
                       table: str = EVENTS, checkpoint_table: str = CHECKPOINTS) -> Report:
    """Check every event's link and every checkpoint's root and signature (with the given
    public key, else the one stored with each checkpoint)."""
    started = time.perf_counter()
    chain = ChainCheck()
    async with pool.acquire() as conn:
        sealed = [Checkpoint(r["position"], bytes(r["root"]), bytes(r["signature"]),
                             public_key or bytes(r["public_key"]))
                  for r in await conn.fetch(f"SELECT position, root, signature, public_key "
                                            f"FROM {checkpoint_table} ORDER BY position")]
        forged = first_forged(sealed)
        if forged:
            return Report(0, 0, time.perf_counter() - started, forged)
        roots = CheckpointCheck(sealed)
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            cursor = conn.cursor(f"SELECT global_position, stream_id, stream_version, body, "
                                 f"chain_hash FROM {table} ORDER BY global_position",
                                 prefetch=FETCH)
            async for row in cursor:
                position, claimed = row["global_position"], row["chain_hash"]
                found = roots.passing(position) or chain.check(
                    row["stream_id"], row["stream_version"], bytes(row["body"]),
                    bytes(claimed) if claimed is not None else None,
                    f"stream {row['stream_id']} version {row['stream_version']} "
                    f"(global position {position})")
                if found:
                    return Report(chain.checked, roots.verified,
                                  time.perf_counter() - started, found)
                roots.add(bytes(claimed))
        found = roots.finish()
    return Report(chain.checked, roots.verified, time.perf_counter() - started, found)


def verify_kafka(s: Settings, topics: list[str], timeout_s: float = 10.0,
                 only_streams: set[str] | None = None) -> Report:
    """Check every message of ``topics`` from offset 0 to their ends now (or only the
    messages of ``only_streams``)."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    started = time.perf_counter()
    consumer = Consumer({"bootstrap.servers": s.kafka_bootstrap, "group.id": "soems-audit",
                         "enable.auto.commit": False, "enable.partition.eof": False})
    chain = ChainCheck()
    try:
        ends: dict[tuple[str, int], int] = {}
        for topic in topics:
            meta = consumer.list_topics(topic, timeout=timeout_s).topics[topic]
            for partition in meta.partitions:
                low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition),
                                                           timeout=timeout_s)
                if high > low:
                    ends[(topic, partition)] = high
        consumer.assign([TopicPartition(t, p, OFFSET_BEGINNING) for t, p in ends])
        done: set[tuple[str, int]] = set()
        idle_until = time.monotonic() + timeout_s
        while len(done) < len(ends) and time.monotonic() < idle_until:
            for m in consumer.consume(num_messages=10_000, timeout=0.5):
                if m.error() is not None:
                    continue
                idle_until = time.monotonic() + timeout_s
                tp = (m.topic(), m.partition())
                if m.offset() + 1 >= ends[tp]:
                    done.add(tp)
                if only_streams is not None and (m.key() or b"").decode() not in only_streams:
                    continue
                headers = dict(m.headers() or [])
                version = headers.get(VERSION_HEADER)
                where = f"{m.topic()} partition {m.partition()} offset {m.offset()}"
                if version is None or not version.isdigit():
                    found = Break(where, "the message carries no stream version header")
                else:
                    found = chain.check((m.key() or b"").decode(), int(version), m.value(),
                                        headers.get(CHAIN_HEADER), where)
                if found:
                    return Report(chain.checked, 0, time.perf_counter() - started, found,
                                  chain.redelivered)
        if len(done) < len(ends):
            return Report(chain.checked, 0, time.perf_counter() - started,
                          Break(str(sorted(set(ends) - done)), "the topic could not be read "
                                "to its end"), chain.redelivered)
    finally:
        consumer.close()
    return Report(chain.checked, 0, time.perf_counter() - started, None, chain.redelivered)
