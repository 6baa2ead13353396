"""The projection runner: consume domain topics, apply events to read models, checkpoint.

PostgreSQL projections store their Kafka positions in ``eventlog.projection_offsets`` in the
same transaction as their row changes, and seek there whenever partitions are assigned: a
crash at any point neither loses nor doubles an event. MongoDB projections guard every write
with the stream version (``version < event.version``) and commit Kafka offsets after applying.
A message that cannot be decoded or applied goes to ``<topic>.dlq`` and the runner goes on.
A rebuild replays from offset 0 into a shadow schema or collection and swaps it in.
"""
from __future__ import annotations

import asyncio
import logging
import traceback
import zlib
from dataclasses import dataclass, field
from typing import Awaitable, Callable

import asyncpg
import pymongo
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from pymongo.database import Database
from pymongo.errors import OperationFailure

from eventlog.postgres import create_pool, run_sql, setup_event_store
from eventlog.topics import dlq_for, ensure_topics, partitions_of
from schemas import codec
from schemas.envelope import RecordedEvent
from soems.settings import Settings

log = logging.getLogger("soems.projections")
READ_MODELS = "read_models"
BATCH = 500


@dataclass(frozen=True)
class PostgresProjection:
    """A read model in PostgreSQL. ``ddl`` and ``apply`` use unqualified table names: the
    runner sets the search path to the live schema, or to a shadow schema when rebuilding."""

    name: str
    topics: tuple[str, ...]
    tables: tuple[str, ...]
    ddl: str
    apply: Callable[[asyncpg.Connection, RecordedEvent], Awaitable[None]]


@dataclass(frozen=True)
class MongoProjection:
    """A read model in MongoDB. ``apply`` receives a mapping from logical collection name to
    the collection to write (live or shadow) and must guard writes by stream version."""

    name: str
    topics: tuple[str, ...]
    collections: tuple[str, ...]
    apply: Callable[[dict, RecordedEvent], None]
    indexes: dict[str, list[tuple[list, dict]]] = field(default_factory=dict)


def _lock_key(projection: str) -> int:
    return zlib.crc32(f"projection:{projection}".encode())


class DeadLetters:
    """Parks messages a consumer cannot process in ``<topic>.dlq`` with the reason."""

    def __init__(self, bootstrap: str, consumer_name: str):
        self.bootstrap, self.consumer_name = bootstrap, consumer_name
        self.producer: AIOKafkaProducer | None = None

    async def stop(self) -> None:
        if self.producer is not None:
            await self.producer.stop()

    async def park(self, message, error: BaseException) -> None:
        if self.producer is None:  # made on the first poison message: most runs never need it
            self.producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all",
                                             enable_idempotence=True)
            await self.producer.start()
        reason = "".join(traceback.format_exception_only(type(error), error)).strip()
        log.warning("%s: %s[%d]@%d to the DLQ: %s", self.consumer_name, message.topic,
                    message.partition, message.offset, reason)
        await self.producer.send_and_wait(
            dlq_for(message.topic), value=message.value, key=message.key,
            headers=[("error", reason[:2000].encode()),
                     ("consumer", self.consumer_name.encode()),
                     ("source_topic", message.topic.encode()),
                     ("source_partition", str(message.partition).encode()),
                     ("source_offset", str(message.offset).encode())])


def _group_consumer(s: Settings, p: PostgresProjection | MongoProjection):
    """The projection's consumer (group ``projection.<name>``) and its dead-letter writer."""
    consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap,
                                group_id=f"projection.{p.name}", enable_auto_commit=False,
                                auto_offset_reset="earliest", max_poll_records=BATCH)
    return consumer, DeadLetters(s.kafka_bootstrap, f"projection.{p.name}")


# --- PostgreSQL ----------------------------------------------------------------------------

async def setup_postgres_projection(pool: asyncpg.Pool, p: PostgresProjection,
                                    schema: str = READ_MODELS) -> None:
    await run_sql(pool, f"CREATE SCHEMA IF NOT EXISTS {schema}; SET LOCAL search_path TO {schema};"
                        f"\n{p.ddl}")


async def _stored_offsets(conn, projection: str) -> dict[tuple[str, int], int]:
    rows = await conn.fetch("SELECT topic, partition, next_offset FROM eventlog.projection_offsets "
                            "WHERE projection = $1", projection)
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}


async def _save_offset(conn, projection: str, tp: TopicPartition, next_offset: int) -> None:
    await conn.execute(
        "INSERT INTO eventlog.projection_offsets (projection, topic, partition, next_offset) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (projection, topic, partition) "
        "DO UPDATE SET next_offset = excluded.next_offset",
        projection, tp.topic, tp.partition, next_offset)


async def _apply_batch(conn, p: PostgresProjection, messages, dead: DeadLetters | None) -> int:
    """Apply messages in the caller's transaction; each in a savepoint so one poison message
    is parked without undoing the others. Returns how many were applied."""
    applied = 0
    for m in messages:
        try:
            event = codec.decode(m.value)
            async with conn.transaction():
                await p.apply(conn, event)
            applied += 1
        except Exception as exc:  # anything one message does wrong must not stop the others
            if dead is not None:
                await dead.park(m, exc)
    return applied


class _SeekToStored(ConsumerRebalanceListener):
    def __init__(self, consumer: AIOKafkaConsumer, pool: asyncpg.Pool, projection: str):
        self.consumer, self.pool, self.projection = consumer, pool, projection

    async def on_partitions_revoked(self, revoked):
        pass

    async def on_partitions_assigned(self, assigned):
        offsets = await _stored_offsets(self.pool, self.projection)
        for tp in assigned:
            stored = offsets.get((tp.topic, tp.partition))
            if stored is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, stored)


async def run_postgres_projection(s: Settings, p: PostgresProjection,
                                  stop: asyncio.Event) -> None:
    await asyncio.to_thread(ensure_topics, s)
    pool = await create_pool(s, min_size=1, max_size=4)
    await setup_event_store(pool)
    await setup_postgres_projection(pool, p)
    consumer, dead = _group_consumer(s, p)
    consumer.subscribe(list(p.topics), listener=_SeekToStored(consumer, pool, p.name))
    await consumer.start()
    log.info("projection %s: consuming %s", p.name, ", ".join(p.topics))
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=300, max_records=BATCH)
            if not batch:
                continue
            # One transaction for the whole batch: the rows and the positions of every
            # partition in it commit together.
            async with pool.acquire() as conn:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key(p.name))
                    await conn.execute(f"SET LOCAL search_path TO {READ_MODELS}")
                    for tp, messages in batch.items():
                        await _apply_batch(conn, p, messages, dead)
                        await _save_offset(conn, p.name, tp, messages[-1].offset + 1)
            # Informational only (lag monitoring): the positions that count are in PostgreSQL.
            await consumer.commit({tp: messages[-1].offset + 1 for tp, messages in batch.items()})
    finally:
        await consumer.stop()
        await dead.stop()
        await pool.close()


# --- MongoDB -------------------------------------------------------------------------------

def mongo_database(s: Settings) -> Database:
    return pymongo.MongoClient(s.mongo_uri, serverSelectionTimeoutMS=10_000)[s.mongo_db]


def _ensure_indexes(db: Database, p: MongoProjection, names: dict[str, str]) -> None:
    for logical, specs in p.indexes.items():
        for keys, options in specs:
            db[names[logical]].create_index(keys, **options)


def _apply_mongo(collections: dict, p: MongoProjection, messages) -> list[tuple]:
    """Apply messages; return (message, error) pairs for the ones that failed."""
    failed = []
    for m in messages:
        try:
            p.apply(collections, codec.decode(m.value))
        except Exception as exc:
            failed.append((m, exc))
    return failed


async def run_mongo_projection(s: Settings, p: MongoProjection, stop: asyncio.Event) -> None:
    await asyncio.to_thread(ensure_topics, s)
    db = mongo_database(s)
    live = {c: c for c in p.collections}
    await asyncio.to_thread(_ensure_indexes, db, p, live)
    collections = {c: db[c] for c in p.collections}
    consumer, dead = _group_consumer(s, p)
    consumer.subscribe(list(p.topics))
    await consumer.start()
    log.info("projection %s: consuming %s", p.name, ", ".join(p.topics))
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=300, max_records=BATCH)
            for tp, messages in batch.items():
                for message, error in await asyncio.to_thread(_apply_mongo, collections, p,
                                                              messages):
                    await dead.park(message, error)
            if batch:
                await consumer.commit({tp: ms[-1].offset + 1 for tp, ms in batch.items()})
    finally:
        await consumer.stop()
        await dead.stop()
        db.client.close()


# --- Rebuild -------------------------------------------------------------------------------

class _Replay:
    """Reads the given topics from offset 0 without a consumer group."""

    def __init__(self, s: Settings, topics: tuple[str, ...]):
        self.consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap,
                                         enable_auto_commit=False, group_id=None,
                                         max_poll_records=BATCH)
        self.settings, self.topics = s, topics

    async def start(self) -> dict[TopicPartition, int]:
        await self.consumer.start()
        tps = [TopicPartition(t, p) for t in self.topics
               for p in await asyncio.to_thread(partitions_of, self.settings, t)]
        self.consumer.assign(tps)
        await self.consumer.seek_to_beginning(*tps)
        return await self.consumer.end_offsets(tps)

    async def positions(self) -> dict[TopicPartition, int]:
        return {tp: await self.consumer.position(tp) for tp in self.consumer.assignment()}

    async def until(self, targets: dict[TopicPartition, int], apply) -> None:
        """Feed batches to ``apply`` until every partition reached its target offset."""
        while True:
            pos = await self.positions()
            if all(pos[tp] >= off for tp, off in targets.items()):
                return
            batch = await self.consumer.getmany(timeout_ms=500, max_records=BATCH)
            for tp, messages in batch.items():
                await apply(tp, messages)

    async def stop(self) -> None:
        await self.consumer.stop()


async def rebuild_postgres(s: Settings, p: PostgresProjection,
                           progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Replay every event into a shadow schema, catch up under the projection's lock, swap."""
    pool = await create_pool(s, min_size=1, max_size=2)
    shadow = f"rebuild_{p.name}"
    replay = _Replay(s, p.topics)
    applied = 0
    try:
        await setup_event_store(pool)
        await run_sql(pool, f"DROP SCHEMA IF EXISTS {shadow} CASCADE")
        await setup_postgres_projection(pool, p, schema=shadow)
        ends = await replay.start()
        total = sum(ends.values())

        async def into_shadow(conn):
            async def apply(tp, messages):
                nonlocal applied
                async with conn.transaction():
                    await conn.execute(f"SET LOCAL search_path TO {shadow}")
                    applied += await _apply_batch(conn, p, messages, None)
                progress(sum((await replay.positions()).values()), total)
            return apply

        async with pool.acquire() as conn:
            await replay.until(ends, await into_shadow(conn))
            async with conn.transaction():
                # The live runner takes this lock for each batch: while we hold it the live
                # positions cannot move, so the shadow catches up to them and the swap is exact.
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key(p.name))
                live = await _stored_offsets(conn, p.name)
                targets = {tp: max(off, live.get((tp.topic, tp.partition), 0))
                           for tp, off in ends.items()}
                await replay.until(targets, await into_shadow(conn))
                for table in p.tables:
                    await conn.execute(f"DROP TABLE IF EXISTS {READ_MODELS}.{table}")
                    await conn.execute(f"ALTER TABLE {shadow}.{table} SET SCHEMA {READ_MODELS}")
                await conn.execute(f"DROP SCHEMA {shadow} CASCADE")
                for tp, position in (await replay.positions()).items():
                    await _save_offset(conn, p.name, tp, position)
        progress(total, total)
        return applied
    finally:
        await replay.stop()
        await pool.close()


async def rebuild_mongo(s: Settings, p: MongoProjection,
                        progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Replay into shadow collections, swap them in, then replay what arrived meanwhile."""
    db = mongo_database(s)
    shadow = {c: f"{c}__rebuild" for c in p.collections}
    replay = _Replay(s, p.topics)
    applied = 0
    try:
        for name in shadow.values():
            await asyncio.to_thread(db.drop_collection, name)
        await asyncio.to_thread(_ensure_indexes, db, p, shadow)
        ends = await replay.start()
        total = sum(ends.values())

        def writer(targets: dict[str, str]):
            collections = {c: db[n] for c, n in targets.items()}

            async def apply(tp, messages):
                nonlocal applied
                failed = await asyncio.to_thread(_apply_mongo, collections, p, messages)
                applied += len(messages) - len(failed)
                progress(sum((await replay.positions()).values()), total)
            return apply

        await replay.until(ends, writer(shadow))
        for logical, name in shadow.items():
            await asyncio.to_thread(_swap_collection, db, name, logical)
        # Events the live runner wrote into the old collection after our snapshot are
        # replayed into the new one; version guards make the overlap harmless.
        latest = await replay.consumer.end_offsets(list(ends))
        await replay.until(latest, writer({c: c for c in p.collections}))
        progress(total, total)
        return applied
    finally:
        await replay.stop()
        db.client.close()


def _swap_collection(db: Database, source: str, target: str) -> None:
    admin = db.client.admin
    full = lambda name: f"{db.name}.{name}"  # noqa: E731
    try:
        admin.command("renameCollection", full(source), to=full(target), dropTarget=True)
    except OperationFailure as exc:
        if exc.code != 238:  # NotImplemented: FerretDB 1.x has no dropTarget
            raise
        db.drop_collection(target)
        admin.command("renameCollection", full(source), to=full(target))
