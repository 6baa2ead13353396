"""The projection runner: consume aggregates' topics, fold events into read-model rows, write
each batch in bulk, checkpoint.

A projection is pure: ``key_of(event)`` names the row (or document) an event changes and
``evolve(row, event)`` returns the row after it (``None``: nothing to keep). Every row carries
the ``version`` of the stream it follows; an event at or below it is a redelivery and is
skipped, so a duplicate from the relay or a replay changes nothing. The runner does the I/O per
batch, whatever its size, in a fixed number of round trips:

- PostgreSQL: in one transaction, read the batch's rows (``key = ANY($1)``), fold, upsert all
  changed rows in one statement (``unnest`` of column arrays), and store the Kafka positions
  of every partition of the batch (a tracking record, as in the eventsourcing library). The
  runner seeks to those positions whenever partitions are assigned: a crash at any point
  neither loses nor doubles an event.
- MongoDB: fold into the documents this worker last wrote (a cache it keeps while it owns
  its partitions; others are read with ``find_one({"_id": k})``), then write each changed
  document optimistically by ``_id``: ``UpdateOne({"_id": k, "version": <as read>})`` in
  unordered bulks of 25, ``insert_many`` for new ones; a document someone else changed
  meanwhile is read again and folded again. Every operation is served by the ``_id`` index
  (see ``deploy/local/components.py`` for what FerretDB needs for that), then the Kafka
  offsets are committed. A MongoDB projection waits longer for a fuller batch (500 ms): each
  document a batch touches costs one write however many of its events the batch holds.

A message that cannot be decoded or applied goes to ``<topic>.dlq`` with the reason in its
headers, and the runner goes on. A rebuild replays from offset 0 into a shadow table or
collection, folding in memory and writing in large bulk batches, and swaps it in.
"""
from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import time
import traceback
import zlib
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Iterable, NamedTuple

import asyncpg
import pymongo
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from pymongo import UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, OperationFailure
from pydantic import BaseModel

from eventlog import metrics
from eventlog.postgres import close_pool, create_pool, run_sql
from eventlog.runtime import collect_cycles_rarely
from eventlog.topics import dlq_for, ensure_topics, partitions_of
from schemas import codec
from schemas.envelope import Aggregate, Envelope, RecordedEvent, envelope_view, narrowed
from settings import Settings

log = logging.getLogger("soems.projections")
READ_MODELS = "read_models"
BATCH = 1000
# Fetch settings for projection consumers: wait a little for a fuller batch rather than
# answering every few records (fewer fetches, fewer transactions, less CPU per event).
FETCH_MIN_BYTES = 32 * 1024
FETCH_MAX_WAIT_MS = 100
# A rebuild folds this many rows in memory before writing them out.
REBUILD_FLUSH_ROWS = 50_000

Row = dict[str, Any]
KeyOf = Callable[[RecordedEvent], "str | None"]
Evolve = Callable[["Row | None", RecordedEvent], "Row | None"]
Decoded = list[tuple[Any, RecordedEvent]]
Reveal = Callable[[Any, Decoded], Awaitable[Decoded]]


@dataclass(frozen=True)
class Table:
    """A PostgreSQL read model: one row per ``key``. ``ddl`` uses the unqualified name: the
    runner sets the search path to the live schema, or to a shadow schema when rebuilding.
    Every table has ``version integer`` and ``projected_at timestamptz`` (when the runner
    wrote the row: read-model lag, per row) besides its own columns."""

    name: str
    key: str
    ddl: str

    @property
    def qualified(self) -> str:
        """The live table, for the query side: ``read_models.<name>``."""
        return f"{READ_MODELS}.{self.name}"


class _Subscriber:
    sources: tuple[Aggregate, ...]
    reads_envelope: tuple[str, ...] | None

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics of the aggregates it reads: never typed by hand."""
        return tuple(a.topic for a in self.sources)

    @property
    def envelope(self) -> type[BaseModel]:
        """The envelope its fold is given: only the fields it reads (``reads_envelope``),
        the others never decoded (a third of decoding an event, measured)."""
        return envelope_view(self.reads_envelope)


@dataclass(frozen=True)
class NarrowCopy:
    """A table with the same key as its projection's table and some of its columns (same
    names, generated ones included); ``computed`` columns are SQL expressions over the
    source row ``s`` instead (``("viewers", "ARRAY[s.owner_id] || ...")``)."""

    table: Table
    computed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PostgresProjection(_Subscriber):
    name: str
    sources: tuple[Aggregate, ...]
    table: Table
    key_of: KeyOf
    evolve: Evolve
    # Opens sealed personal fields of a batch's events before the fold, with the projection's
    # connection (security/personal_data.py): the fold stays pure, the read model readable.
    reveal: Reveal | None = None
    # Narrow copies of some of ``table``'s columns, refreshed from it in the same transaction
    # after every write: for queries that must visit many rows but need few of their columns
    # (the bank's search reads its ~300-byte copy, not the 1 KB rows with the content).
    narrow_copies: tuple[NarrowCopy, ...] = ()
    # A PostgreSQL NOTIFY channel told ``{"key", "version"}`` of every row a live batch
    # changed, in the batch's own transaction: delivered on commit, so a listener (the query
    # API's live feed) never hears of a row it cannot read yet. Rebuilds announce nothing.
    announce: str | None = None
    # More of the row for the listeners (``row -> {field: JSON value}``), so that they can
    # tell a change that matters to them from one that does not without reading the row.
    announced: Callable[[Row], dict[str, Any]] | None = None
    # The envelope fields ``key_of``, ``evolve`` and ``reveal`` read, besides the stream
    # version (``schemas.envelope.envelope_view``); None: the whole envelope.
    reads_envelope: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MongoProjection(_Subscriber):
    """A MongoDB read model: one document per ``_id`` in ``collection``."""

    name: str
    sources: tuple[Aggregate, ...]
    collection: str
    key_of: KeyOf
    evolve: Evolve
    indexes: list[tuple[list, dict]] = field(default_factory=list)
    reads_envelope: tuple[str, ...] | None = None  # as PostgresProjection's


Projection = PostgresProjection | MongoProjection


def _lock_key(projection: str) -> int:
    return zlib.crc32(f"projection:{projection}".encode())


# --- the pure part: fold a batch of events into rows ----------------------------------------

@dataclass
class Folded:
    changed: dict[str, Row] = field(default_factory=dict)
    touched_by: dict[str, list] = field(default_factory=dict)  # key -> messages (for the DLQ)
    failed: list[tuple[Any, BaseException]] = field(default_factory=list)
    applied: int = 0


def fold(p: Projection, events: Iterable[tuple[Any, RecordedEvent]],
         rows: dict[str, Row]) -> Folded:
    """Fold ``(message, event)`` pairs into ``rows`` (updated in place, the cache of current
    rows by key); collect what changed. An event a row has already seen is skipped."""
    out = Folded()
    for message, event in events:
        try:
            key = p.key_of(event)
            if key is None:
                continue
            row = rows.get(key)
            if row is not None and row["version"] >= event.envelope.stream_version:
                continue  # a redelivery: this row already reflects the event
            new = p.evolve(row, event)
        except Exception as exc:  # one bad event must not stop the others
            out.failed.append((message, exc))
            continue
        if new is None:
            continue
        new["version"] = event.envelope.stream_version
        rows[key] = new
        out.changed[key] = new
        out.touched_by.setdefault(key, []).append(message)
        out.applied += 1
    return out


def keys_of(p: Projection, events: Iterable[tuple[Any, RecordedEvent]]) -> set[str]:
    """The rows these events change (an event whose key cannot be read is left to ``fold``,
    which reports it with its message)."""
    keys = set()
    for _, event in events:
        try:
            key = p.key_of(event)
        except Exception:
            continue
        if key is not None:
            keys.add(key)
    return keys


def given(p: Projection, events: Iterable[RecordedEvent]) -> dict[str, Row]:
    """The rows a projection makes of these events, with no I/O (for given-then tests)."""
    rows: dict[str, Row] = {}
    view = p.envelope  # as the runners give them: a field the fold reads undeclared fails
    fold(p, ((None, narrowed(e, view)) for e in events), rows)
    return rows


def decode_all(messages, envelope: type[BaseModel] = Envelope
               ) -> tuple[list[tuple[Any, RecordedEvent]], list[tuple[Any, BaseException]]]:
    decoded, failed = [], []
    decode = codec.default_codec().decode
    for m in messages:
        try:
            decoded.append((m, decode(m.value, envelope)))
        except Exception as exc:
            failed.append((m, exc))
    return decoded, failed


# --- dead letters ---------------------------------------------------------------------------

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
        metrics.DLQ_MESSAGES.labels(self.consumer_name, message.topic).inc()


def group_of(p: Projection) -> str:
    """The projection's consumer group, also the name its dead letters and lag carry."""
    return f"projection.{p.name}"


def _group_consumer(s: Settings, p: Projection, fetch_min_bytes: int = FETCH_MIN_BYTES,
                    fetch_max_wait_ms: int = FETCH_MAX_WAIT_MS):
    """The projection's consumer (group ``projection.<name>``) and its dead-letter writer."""
    consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap,
                                group_id=group_of(p), enable_auto_commit=False,
                                auto_offset_reset="earliest", max_poll_records=BATCH,
                                fetch_min_bytes=fetch_min_bytes,
                                fetch_max_wait_ms=fetch_max_wait_ms)
    return consumer, DeadLetters(s.kafka_bootstrap, group_of(p))


# --- PostgreSQL ----------------------------------------------------------------------------

async def _columns(conn, schema: str, table: str) -> list[asyncpg.Record]:
    rows = await conn.fetch(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, "
        "a.attgenerated <> '' AS generated "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum", schema, table)
    if not rows:
        raise LookupError(f"table {schema}.{table} does not exist")
    return rows


class PostgresRows:
    """Reads and writes one table's rows in bulk (in the schema given: live or shadow), and
    refreshes its narrow copies from the rows written."""

    def __init__(self, table: Table, schema: str, narrow_copies: tuple[Table, ...] = ()):
        self.table, self.schema, self.narrow_copies = table, schema, narrow_copies
        self.columns: list[str] = []
        self.types: list[str] = []
        self._copy: list[str] = []
        self._fill: list[str] = []

    async def describe(self, conn) -> None:
        described = await _columns(conn, self.schema, self.table.name)
        # Generated columns (a search vector) are PostgreSQL's to compute, never written.
        written = [r for r in described if not r["generated"] and r["attname"] != "projected_at"]
        self.columns = [r["attname"] for r in written]
        self.types = [r["type"] for r in written]
        listed = ", ".join(self.columns)
        source = f"{self.schema}.{self.table.name}"
        self._copy, self._fill = [], []
        for narrow in self.narrow_copies:
            copy, computed = narrow.table, dict(narrow.computed)
            names = [r["attname"] for r in await _columns(conn, self.schema, copy.name)]
            unknown = set(names) - {r["attname"] for r in described} - computed.keys()
            if unknown or copy.key != self.table.key:
                raise LookupError(f"{copy.name} must copy {self.table.name}'s key and columns; "
                                  f"it has {sorted(unknown)} that {self.table.name} has not")
            copied = ", ".join(names)
            values = ", ".join(computed.get(c, f"s.{c}") for c in names)
            updates = ", ".join(f"{c} = excluded.{c}" for c in names if c != copy.key)
            target = f"{self.schema}.{copy.name}"
            self._copy.append(
                f"INSERT INTO {target} ({copied}) SELECT {values} FROM {source} s "
                f"WHERE s.{self.table.key} = ANY($1::text[]) "
                f"ON CONFLICT ({copy.key}) DO UPDATE SET {updates}")
            # Only an empty copy is filled: every write refreshes the copy with its table in
            # one transaction, so a copy with rows has them all (one look at start-up, not a
            # comparison of both tables).
            self._fill.append(
                f"INSERT INTO {target} ({copied}) SELECT {values} FROM {source} s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {target}) ON CONFLICT DO NOTHING")
        self._select = (f"SELECT {listed} FROM {self.schema}.{self.table.name} "
                        f"WHERE {self.table.key} = ANY($1::text[])")
        arrays = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(self.types))
        updates = ", ".join(f"{c} = excluded.{c}" for c in self.columns if c != self.table.key)
        self._upsert = (
            f"INSERT INTO {self.schema}.{self.table.name} ({listed}, projected_at) "
            f"SELECT *, clock_timestamp() FROM unnest({arrays}) "
            f"ON CONFLICT ({self.table.key}) DO UPDATE SET {updates}, "
            f"projected_at = excluded.projected_at")

    async def fill_copies(self, conn) -> None:
        """Fill a narrow copy that is still empty (one added to a table that has rows)."""
        for statement in self._fill:
            await conn.execute(statement)

    async def read(self, conn, keys: Iterable[str]) -> dict[str, Row]:
        found = await conn.fetch(self._select, list(keys))
        return {r[self.table.key]: dict(r) for r in found}

    async def write(self, conn, rows: Iterable[Row]) -> None:
        rows = list(rows)
        if rows:
            await conn.execute(self._upsert, *[[r.get(c) for r in rows] for c in self.columns])
            await self._refresh_copies(conn, rows)

    async def insert_new(self, conn, rows: Iterable[Row]) -> None:
        """Write rows that the table does not hold yet, with COPY (a rebuild's shadow: most
        of its rows are written once, and COPY skips the upsert's conflict checks)."""
        rows = list(rows)
        if rows:
            await conn.copy_records_to_table(
                self.table.name, schema_name=self.schema, columns=self.columns,
                records=[[r.get(c) for c in self.columns] for r in rows])
            await self._refresh_copies(conn, rows)

    async def _refresh_copies(self, conn, rows: list[Row]) -> None:
        keys = [r[self.table.key] for r in rows]
        for statement in self._copy:
            await conn.execute(statement, keys)


async def setup_postgres_projection(pool: asyncpg.Pool, p: PostgresProjection,
                                    schema: str = READ_MODELS) -> None:
    ddl = (f"CREATE SCHEMA IF NOT EXISTS {schema}; SET LOCAL search_path TO {schema};\n"
           f"{p.table.ddl}\n" + "".join(f"{c.table.ddl}\n" for c in p.narrow_copies) +
           f"ALTER TABLE {p.table.name} ADD COLUMN IF NOT EXISTS projected_at timestamptz "
           f"NOT NULL DEFAULT clock_timestamp();")
    await run_sql(pool, ddl)


async def stored_offsets(conn, projection: str) -> dict[tuple[str, int], int]:
    rows = await conn.fetch("SELECT topic, partition, next_offset FROM eventlog.projection_offsets "
                            "WHERE projection = $1", projection)
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}


async def save_offsets(conn, projection: str, positions: dict[TopicPartition, int]) -> None:
    tps = list(positions)
    await conn.execute(
        "INSERT INTO eventlog.projection_offsets (projection, topic, partition, next_offset) "
        "SELECT $1, t, p, o FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, o) "
        "ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = excluded.next_offset",
        projection, [tp.topic for tp in tps], [tp.partition for tp in tps],
        [positions[tp] for tp in tps])


async def apply_postgres_batch(conn, p: PostgresProjection, store: PostgresRows,
                               messages) -> Folded:
    """Fold and write one batch in the caller's transaction. The batch's rows are read first
    (one query); changed rows are written in one statement. If that statement fails
    (a row the table refuses), rows are written one by one in savepoints and the events
    behind a refused row are reported as failed."""
    decoded, failed = decode_all(messages, p.envelope)
    if p.reveal is not None:
        decoded = await p.reveal(conn, decoded)
    keys = keys_of(p, decoded)
    rows = await store.read(conn, keys) if keys else {}
    folded = fold(p, decoded, rows)
    folded.failed[:0] = failed
    try:
        async with conn.transaction():
            await store.write(conn, folded.changed.values())
    except asyncpg.PostgresError:
        for key, row in folded.changed.items():
            try:
                async with conn.transaction():
                    await store.write(conn, [row])
            except asyncpg.PostgresError as exc:
                folded.failed += [(m, exc) for m in folded.touched_by[key]]
    return folded


async def announce_changes(conn, p: PostgresProjection, folded: Folded) -> None:
    if p.announce is None or not folded.changed:
        return
    await conn.execute(
        "SELECT count(pg_notify($1, c)) FROM unnest($2::text[]) AS c", p.announce,
        [json.dumps({**(p.announced(row) if p.announced else {}), "key": key,
                     "version": row["version"]}, separators=(",", ":"))
         for key, row in folded.changed.items()])


class SeekToStored(ConsumerRebalanceListener):
    def __init__(self, consumer: AIOKafkaConsumer, pool: asyncpg.Pool, projection: str):
        self.consumer, self.pool, self.projection = consumer, pool, projection

    async def on_partitions_revoked(self, revoked):
        pass

    async def on_partitions_assigned(self, assigned):
        offsets = await stored_offsets(self.pool, self.projection)
        for tp in assigned:
            stored = offsets.get((tp.topic, tp.partition))
            if stored is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, stored)


def _observe(p: Projection, count: int, started: float) -> None:
    metrics.PROJECTION_BATCH_SIZE.labels(p.name).observe(count)
    metrics.PROJECTION_APPLY_SECONDS.labels(p.name).observe(time.perf_counter() - started)
    metrics.PROJECTION_EVENTS.labels(p.name).inc(count)


async def run_postgres_projection(s: Settings, p: PostgresProjection,
                                  stop: asyncio.Event) -> None:
    await asyncio.to_thread(ensure_topics, s)
    async with AsyncExitStack() as cleanup:  # a start that fails half-way releases what it made
        pool = await create_pool(s, min_size=1, max_size=4, role="projection")
        cleanup.push_async_callback(close_pool, pool)
        await setup_postgres_projection(pool, p)
        store = PostgresRows(p.table, READ_MODELS, p.narrow_copies)
        async with pool.acquire() as conn:
            await store.describe(conn)
            await store.fill_copies(conn)
        consumer, dead = _group_consumer(s, p)
        cleanup.push_async_callback(dead.stop)
        group = group_of(p)
        consumer.subscribe(list(p.topics), listener=SeekToStored(consumer, pool, p.name))
        await consumer.start()
        cleanup.push_async_callback(consumer.stop)
        collect_cycles_rarely()
        log.info("projection %s: consuming %s", p.name, ", ".join(p.topics))
        informed: dict[TopicPartition, int] = {}
        informed_at = 0.0

        async def inform() -> None:
            """Commit the stored positions to Kafka too (for lag tools), at most once a
            second."""
            nonlocal informed, informed_at
            mine = {tp: o for tp, o in informed.items() if tp in consumer.assignment()}
            if mine and time.monotonic() - informed_at >= 1.0:
                await consumer.commit(mine)
                informed, informed_at = {}, time.monotonic()

        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=300, max_records=BATCH)
            if not batch:
                await inform()
                await metrics.record_lag(consumer, group)
                continue
            started = time.perf_counter()
            messages = [m for ms in batch.values() for m in ms]
            positions = {tp: ms[-1].offset + 1 for tp, ms in batch.items()}
            # One transaction for the whole batch: the rows and the positions of every
            # partition in it commit together.
            async with pool.acquire() as conn:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key(p.name))
                    folded = await apply_postgres_batch(conn, p, store, messages)
                    await save_offsets(conn, p.name, positions)
                    await announce_changes(conn, p, folded)
            for message, error in folded.failed:
                await dead.park(message, error)
            _observe(p, len(messages), started)
            # Informational only: the positions that count are in PostgreSQL.
            informed.update(positions)
            await inform()
            await metrics.record_lag(consumer, group)


# --- MongoDB -------------------------------------------------------------------------------

def mongo_database(s: Settings) -> Database:
    return pymongo.MongoClient(s.mongo_uri, serverSelectionTimeoutMS=10_000)[s.mongo_db]


def _ensure_indexes(collection, p: MongoProjection) -> None:
    for keys, options in p.indexes:
        collection.create_index(keys, **options)


class MongoDocuments:
    """Reads and writes one collection's documents, every operation by ``_id`` (FerretDB on
    PostgreSQL serves that from an index; ``$in`` over ``_id`` is a full scan there).

    Writes are optimistic: a document that existed is updated only if it still has the
    version it was read at (``{"_id": k, "version": base}``, no upsert), a new one is
    inserted; both report the keys another writer changed in between (a conflict) instead
    of overwriting them. Updates go in chunks of ``WRITE_CHUNK``: FerretDB 1.24 holds a
    backend connection per matched update until the whole command ends, and a command
    matching as many documents as its pool has connections never ends.
    """

    WRITE_CHUNK = 25

    def __init__(self, collection):
        self.collection = collection

    def read(self, keys: Iterable[str]) -> dict[str, Row]:
        found: dict[str, Row] = {}
        for key in keys:
            doc = self.collection.find_one({"_id": key})
            if doc is not None:
                found[key] = doc
        return found

    def write(self, docs: dict[str, Row], base: dict[str, int | None]) -> set[str]:
        """Write ``docs`` (by key) whose stored version was ``base[key]`` (None: no document
        yet); return the keys in conflict, written by someone else meanwhile."""
        now = datetime.now(timezone.utc)
        conflicts: set[str] = set()
        updates = [(k, d) for k, d in docs.items() if base.get(k) is not None]
        inserts = [{**d, "_id": k, "projected_at": now} for k, d in docs.items()
                   if base.get(k) is None]
        for start in range(0, len(updates), self.WRITE_CHUNK):
            chunk = updates[start:start + self.WRITE_CHUNK]
            result = self.collection.bulk_write(
                [UpdateOne({"_id": k, "version": base[k]},
                           {"$set": {**{f: v for f, v in d.items() if f != "_id"},
                                     "projected_at": now}}) for k, d in chunk],
                ordered=False)
            if result.matched_count < len(chunk):  # which ones: read them back
                stored = self.read(k for k, _ in chunk)
                conflicts |= {k for k, d in chunk
                              if stored.get(k, {}).get("version") != d["version"]}
        if inserts:
            try:
                self.collection.insert_many(inserts, ordered=False)
            except BulkWriteError as exc:
                for error in exc.details.get("writeErrors", []):
                    if error.get("code") != 11000:
                        raise
                    conflicts.add(inserts[error["index"]]["_id"])
        return conflicts


def apply_mongo_batch(p: MongoProjection, docs: MongoDocuments, decoded,
                      cache: dict[str, Row] | None = None) -> Folded:
    """Fold and write one batch of decoded events (blocking: run it in a thread).

    ``cache`` holds documents as this writer last wrote or read them (the live runner keeps
    it while it owns its partitions); a key written by someone else meanwhile is read again
    and its events folded again, once."""
    rows = {} if cache is None else cache
    folded = Folded()
    pending = list(decoded)
    for attempt in range(2):
        keys = keys_of(p, pending)
        missing = keys - rows.keys()
        if missing:
            rows.update(docs.read(missing))
        base = {k: rows[k]["version"] if k in rows else None for k in keys}
        this = fold(p, pending, rows)
        conflicts = docs.write(this.changed, base)
        folded.failed += this.failed
        folded.applied += this.applied - sum(len(this.touched_by[k]) for k in conflicts)
        for key, row in this.changed.items():
            if key not in conflicts:
                folded.changed[key] = row
                folded.touched_by[key] = this.touched_by[key]
        if not conflicts:
            return folded
        for key in conflicts:
            rows.pop(key, None)
        again = {id(m) for k in conflicts for m in this.touched_by[k]}
        pending = [(m, e) for m, e in pending if id(m) in again]
    for message, _ in pending:  # still in conflict after a fresh read: let the DLQ say so
        folded.failed.append((message, OperationFailure(
            "the document changed under this writer twice in a row")))
    return folded


class _ForgetOnRebalance(ConsumerRebalanceListener):
    """The document cache is only this writer's own while it owns the partitions."""

    def __init__(self, cache: dict):
        self.cache = cache

    async def on_partitions_revoked(self, revoked):
        self.cache.clear()

    async def on_partitions_assigned(self, assigned):
        self.cache.clear()


# Documents a Mongo projection worker keeps between batches (its own writes, so most updates
# need no read first); cleared when it passes this size or its partitions change.
MONGO_CACHE_DOCUMENTS = 100_000
# A MongoDB projection folds a longer window per batch: every document a batch touches is
# one write, however many of its events the batch holds.
MONGO_FETCH_MAX_WAIT_MS = 500
MONGO_FETCH_MIN_BYTES = 256 * 1024


async def run_mongo_projection(s: Settings, p: MongoProjection, stop: asyncio.Event) -> None:
    await asyncio.to_thread(ensure_topics, s)
    async with AsyncExitStack() as cleanup:  # a start that fails half-way releases what it made
        db = mongo_database(s)
        cleanup.callback(db.client.close)
        fresh = p.collection not in await asyncio.to_thread(db.list_collection_names)
        await asyncio.to_thread(_ensure_indexes, db[p.collection], p)
        docs = MongoDocuments(db[p.collection])
        cache: dict[str, Row] = {}
        consumer, dead = _group_consumer(s, p, MONGO_FETCH_MIN_BYTES, MONGO_FETCH_MAX_WAIT_MS)
        cleanup.push_async_callback(dead.stop)
        group = group_of(p)
        consumer.subscribe(list(p.topics), listener=_ForgetOnRebalance(cache))
        await consumer.start()
        cleanup.push_async_callback(consumer.stop)
        collect_cycles_rarely()
        if fresh:
            # No collection (a new database, a new MongoDB server, a dropped read model) but
            # maybe offsets committed against an old one: replay everything into it.
            await _replay_from_start(consumer)
        log.info("projection %s: consuming %s", p.name, ", ".join(p.topics))
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=300, max_records=BATCH)
            if not batch:
                await metrics.record_lag(consumer, group)
                continue
            started = time.perf_counter()
            messages = [m for ms in batch.values() for m in ms]
            decoded, failed = decode_all(messages, p.envelope)
            if len(cache) > MONGO_CACHE_DOCUMENTS:
                cache.clear()
            folded = await asyncio.to_thread(apply_mongo_batch, p, docs, decoded, cache)
            for message, error in failed + folded.failed:
                await dead.park(message, error)
            _observe(p, len(messages), started)
            await consumer.commit({tp: ms[-1].offset + 1 for tp, ms in batch.items()})
            await metrics.record_lag(consumer, group)


async def _replay_from_start(consumer: AIOKafkaConsumer) -> None:
    deadline = time.monotonic() + 30
    while not consumer.assignment() and time.monotonic() < deadline:
        await consumer.getmany(timeout_ms=100, max_records=1)  # joins the group
        if consumer.assignment():
            break
    assigned = list(consumer.assignment())
    if assigned:
        log.info("no collection yet: replaying %d partitions from the start", len(assigned))
        await consumer.seek_to_beginning(*assigned)


# --- Rebuild -------------------------------------------------------------------------------

class _Replay:
    """Reads the given topics from offset 0 without a consumer group, in large batches, with
    librdkafka (confluent-kafka) in a thread: several times cheaper per message than a Python
    Kafka client, which matters when replaying a year of events."""

    def __init__(self, s: Settings, topics: tuple[str, ...]):
        from confluent_kafka import Consumer

        self.consumer = Consumer({
            "bootstrap.servers": s.kafka_bootstrap, "group.id": "soems-rebuild",
            "enable.auto.commit": False, "enable.auto.offset.store": False,
            "fetch.max.bytes": 64 * 2**20, "max.partition.fetch.bytes": 16 * 2**20,
            "queued.min.messages": 200_000,
        })
        self.settings, self.topics = s, topics
        self.positions: dict[TopicPartition, int] = {}

    def start(self, assign: bool = True) -> dict[TopicPartition, int]:
        """Every partition's end offset now; with ``assign``, start reading them all from
        offset 0."""
        tps = [TopicPartition(t, p) for t in self.topics for p in partitions_of(self.settings, t)]
        self.positions = {tp: 0 for tp in tps}
        if assign:
            self.assign(self.positions)
        return self.end_offsets()

    def assign(self, positions: dict[TopicPartition, int]) -> None:
        """Read these partitions from these offsets (0: from the beginning)."""
        from confluent_kafka import OFFSET_BEGINNING, TopicPartition as CTP

        for topic in {tp.topic for tp in positions}:
            # The topic's metadata first: assigned without it, librdkafka's first messages
            # came about 0.5 s later (measured here), a third of a whole replay's time.
            self.consumer.list_topics(topic, timeout=10)
        self.consumer.assign([CTP(tp.topic, tp.partition, o if o > 0 else OFFSET_BEGINNING)
                              for tp, o in positions.items()])
        self.positions = dict(positions)

    def end_offsets(self) -> dict[TopicPartition, int]:
        from confluent_kafka import TopicPartition as CTP

        ends = {}
        for tp in self.positions:
            low, high = self.consumer.get_watermark_offsets(CTP(tp.topic, tp.partition),
                                                            timeout=10, cached=False)
            ends[tp] = high
        return ends

    def fetch(self, max_messages: int = 10_000,
              targets: dict[TopicPartition, int] | None = None) -> list:
        """The next messages; with ``targets``, no more than are left before them, so that
        the last batch does not wait out the timeout for messages that will not come."""
        if targets:
            left = sum(max(0, end - self.positions[tp]) for tp, end in targets.items())
            max_messages = max(1, min(max_messages, left))
        got = self.consumer.consume(num_messages=max_messages, timeout=0.2)
        out, last = [], {}
        for m in got:
            if m.error() is not None:
                continue
            topic, partition, offset = m.topic(), m.partition(), m.offset()
            out.append(_Message(topic, partition, offset, m.key(), m.value()))
            last[topic, partition] = offset  # a partition's messages come in order
        for (topic, partition), offset in last.items():
            tp = TopicPartition(topic, partition)
            self.positions[tp] = max(self.positions[tp], offset + 1)
        return out

    def done(self, targets: dict[TopicPartition, int]) -> bool:
        return all(self.positions[tp] >= off for tp, off in targets.items())

    def stop(self) -> None:
        self.consumer.close()


class _Message(NamedTuple):  # a tuple: a third of a frozen dataclass's cost per message
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


async def _replay_until(replay: _Replay, targets: dict[TopicPartition, int], apply) -> None:
    """Feed batches to ``apply`` until every partition reached its target offset. Fetching
    the next batch overlaps with applying the current one."""
    def fetch() -> list:
        return replay.fetch(targets=targets)

    pending = asyncio.ensure_future(asyncio.to_thread(fetch))
    try:
        while True:
            messages = await pending
            finished = replay.done(targets)
            pending = None if finished else asyncio.ensure_future(asyncio.to_thread(fetch))
            if messages:
                await apply(messages)
            if finished:
                return
    finally:
        if pending is not None:
            await pending


class _ShadowFolder:
    """Folds replayed messages into a shadow table: rows held in memory, written
    ``REBUILD_FLUSH_ROWS`` at a time; rows not in memory are read back from the shadow."""

    def __init__(self, p: PostgresProjection, store: PostgresRows, conn):
        self.p, self.store, self.conn = p, store, conn
        self.cache: dict[str, Row] = {}
        self.dirty: dict[str, Row] = {}
        self.written: set[str] = set()  # keys this folder has written to the shadow
        self.applied = 0

    async def apply(self, messages) -> None:
        decoded, _ = decode_all(messages, self.p.envelope)
        if self.p.reveal is not None:
            decoded = await self.p.reveal(self.conn, decoded)
        missing = keys_of(self.p, decoded) - self.cache.keys()
        if missing:
            self.cache.update(await self.store.read(self.conn, missing))
        folded = fold(self.p, decoded, self.cache)
        self.dirty.update(folded.changed)
        self.applied += folded.applied
        if len(self.dirty) >= REBUILD_FLUSH_ROWS:
            await self.flush()

    async def flush(self) -> None:
        # Rows follow streams, so a key this folder never wrote is not in the shadow yet.
        new, again = [], []
        for key, row in self.dirty.items():
            (again if key in self.written else new).append(row)
        async with self.conn.transaction():
            await self.store.insert_new(self.conn, new)
            await self.store.write(self.conn, again)
        self.written.update(self.dirty)
        self.dirty.clear()
        if len(self.cache) > REBUILD_FLUSH_ROWS:
            self.cache.clear()  # later events read their rows back from the shadow table


# Replay workers: decoding is most of a rebuild's cost, so the partitions are shared out among
# processes, each folding and writing its own. Rows follow streams (a row's events are all in
# its stream's partition), so no two workers touch the same row.
REBUILD_WORKERS = max(1, min(4, os.cpu_count() or 1))
_replayed_events = None  # a shared counter in each worker, for the parent's progress bar


def _count_into(counter) -> None:
    global _replayed_events
    _replayed_events = counter


def _replay_share(projection: str, shadow: str, share: list[tuple[str, int, int]]):
    """In a worker process: replay these (topic, partition, end offset) into the shadow."""
    # Decoded events and rows hold no reference cycles, so reference counting frees them all;
    # the cycle collector would only walk the growing row cache again and again (measured:
    # decoding with it on took 2.4x as long as with it off).
    gc.disable()
    started = time.time()  # wall clock: the parent compares it with its own
    applied, positions, replayed = asyncio.run(_replay_share_async(projection, shadow, share))
    return applied, positions, {"started": started, "replayed": replayed, "written": time.time()}


async def _replay_share_async(projection: str, shadow: str, share: list[tuple[str, int, int]]):
    from projections import all_projections
    from settings import load_settings

    p, s = all_projections()[projection], load_settings()
    ends = {TopicPartition(t, n): end for t, n, end in share}
    # A flush writes up to REBUILD_FLUSH_ROWS rows in one statement, keeping every index of
    # the shadow up to date (a bank's full-text GIN index makes that minutes on a busy box):
    # no statement timeout here; the parent's progress bar shows a stall.
    pool = await create_pool(s, min_size=1, max_size=1, role="projection", command_timeout=None)
    replay = _Replay(s, p.topics)
    try:
        await asyncio.to_thread(replay.assign, {tp: 0 for tp in ends})
        store = PostgresRows(p.table, shadow, p.narrow_copies)
        async with pool.acquire() as conn:
            await store.describe(conn)
            folder = _ShadowFolder(p, store, conn)

            async def apply(messages) -> None:
                await folder.apply(messages)
                if _replayed_events is not None:
                    with _replayed_events.get_lock():
                        _replayed_events.value += len(messages)

            if not replay.done(ends):
                await _replay_until(replay, ends, apply)
            replayed = time.time()
            await folder.flush()
        return (folder.applied, [(tp.topic, tp.partition, o) for tp, o in replay.positions.items()],
                replayed)
    finally:
        await asyncio.to_thread(replay.stop)
        await pool.close()


async def rebuild_postgres(s: Settings, p: PostgresProjection,
                           progress: Callable[[int, int], None] = lambda done, total: None,
                           workers: int = REBUILD_WORKERS,
                           phases: dict[str, float] | None = None) -> int:
    """Replay every event into a shadow schema (partitions shared out among worker
    processes), catch up under the projection's lock, swap. ``phases``, when given, receives
    the seconds each phase took (for the benchmark)."""
    phases = {} if phases is None else phases
    began = time.time()
    pool = await create_pool(s, min_size=1, max_size=2, role="projection", command_timeout=None)
    shadow = f"rebuild_{p.name}"
    replay = _Replay(s, p.topics)
    try:
        await run_sql(pool, f"DROP SCHEMA IF EXISTS {shadow} CASCADE")
        await setup_postgres_projection(pool, p, schema=shadow)
        deferred = await _drop_secondary_indexes(pool, shadow)
        ends = await asyncio.to_thread(replay.start, False)
        total = sum(ends.values())
        progress(0, total)
        phases["prepare the shadow"] = time.time() - began
        applied, positions = await _replay_in_workers(p, shadow, ends, workers, progress, total,
                                                      phases)
        indexed_from = time.time()
        for statement in deferred:
            await run_sql(pool, statement)
        phases["build the secondary indexes"] = time.time() - indexed_from
        caught_up_from = time.time()
        await asyncio.to_thread(replay.assign, positions)
        store = PostgresRows(p.table, shadow, p.narrow_copies)
        async with pool.acquire() as conn:
            await store.describe(conn)
            folder = _ShadowFolder(p, store, conn)
            async with conn.transaction():
                # The live runner takes this lock for each batch: while we hold it the live
                # positions cannot move, so the shadow catches up to them and the swap is exact.
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key(p.name))
                live = await stored_offsets(conn, p.name)
                targets = {tp: max(off, live.get((tp.topic, tp.partition), 0))
                           for tp, off in ends.items()}
                if not replay.done(targets):
                    await _replay_until(replay, targets, folder.apply)
                await store.write(conn, folder.dirty.values())
                for table in (p.table, *(c.table for c in p.narrow_copies)):
                    await conn.execute(f"DROP TABLE IF EXISTS {READ_MODELS}.{table.name}")
                    await conn.execute(f"ALTER TABLE {shadow}.{table.name} SET SCHEMA "
                                       f"{READ_MODELS}")
                    # Its extended statistics stay behind in the shadow schema (a table's
                    # indexes move with it, those do not): move them too.
                    for name in await conn.fetch(
                            "SELECT stxname FROM pg_statistic_ext WHERE stxrelid = $1::regclass "
                            "AND stxnamespace = $2::regnamespace",
                            f"{READ_MODELS}.{table.name}", shadow):
                        await conn.execute(f"ALTER STATISTICS {shadow}.{name['stxname']} "
                                           f"SET SCHEMA {READ_MODELS}")
                await conn.execute(f"DROP SCHEMA {shadow} CASCADE")
                await save_offsets(conn, p.name, dict(replay.positions))
        phases["catch up under the lock and swap"] = time.time() - caught_up_from
        progress(total, total)
        return applied + folder.applied
    finally:
        closing = time.time()
        await asyncio.to_thread(replay.stop)
        await pool.close()
        phases["close the Kafka client and the pool"] = time.time() - closing


async def _drop_secondary_indexes(pool: asyncpg.Pool, schema: str) -> list[str]:
    """Drop the non-unique indexes of a shadow schema's tables; return the statements that
    build them again. Building an index once over the loaded rows is far cheaper than keeping
    it up to date row by row (a GIN index most of all), and PostgreSQL shares the two cores
    with the replay workers. Unique indexes stay: they must refuse a duplicate as it comes."""
    async with pool.acquire() as conn:
        found = await conn.fetch(
            "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS ddl "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relnamespace = $1::regnamespace AND NOT i.indisunique", schema)
        for index in found:
            await conn.execute(f"DROP INDEX {index['name']}")
    return [index["ddl"] for index in found]


async def _replay_in_workers(p: PostgresProjection, shadow: str,
                             ends: dict[TopicPartition, int], workers: int,
                             progress: Callable[[int, int], None], total: int,
                             phases: dict[str, float]):
    """Replay ``ends`` (from offset 0) into the shadow with up to ``workers`` processes;
    return the events applied and every partition's position reached."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    busy = sorted((tp for tp, end in ends.items() if end > 0), key=lambda tp: -ends[tp])
    shares: list[list[tuple[str, int, int]]] = [[] for _ in range(max(1, min(workers,
                                                                            len(busy))))]
    for i, tp in enumerate(busy):  # the largest partitions first, dealt round the workers
        shares[i % len(shares)].append((tp.topic, tp.partition, ends[tp]))
    positions = {tp: 0 for tp in ends}
    if not busy:
        return 0, positions
    spawned = time.time()
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    counter = context.Value("q", 0)
    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor(len(shares), mp_context=context, initializer=_count_into,
                               initargs=(counter,))
    try:
        running = [loop.run_in_executor(pool, _replay_share, p.name, shadow, share)
                   for share in shares]
        while not all(f.done() for f in running):
            await asyncio.wait(running, timeout=0.5)
            progress(counter.value, total)
        applied, marks = 0, []
        for future in running:
            count, reached, worker_marks = future.result()
            applied += count
            positions.update({TopicPartition(t, n): o for t, n, o in reached})
            marks.append(worker_marks)
    finally:
        # The workers' interpreters take ~0.3 s to tear down (measured): the catch-up does
        # not wait for that.
        pool.shutdown(wait=False, cancel_futures=True)
    started, replayed, written = (max(m[k] for m in marks) for k in ("started", "replayed",
                                                                        "written"))
    phases["start the worker processes (imports)"] = started - spawned
    phases[f"replay in {len(shares)} workers (fetch, decode, fold, writes)"] = replayed - started
    phases["the workers' last writes"] = written - replayed
    phases["the worker processes exit"] = time.time() - written
    return applied, positions


async def rebuild_mongo(s: Settings, p: MongoProjection,
                        progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Replay into a shadow collection, swap it in, then replay what arrived meanwhile."""
    db = mongo_database(s)
    shadow_name = f"{p.collection}__rebuild"
    replay = _Replay(s, p.topics)
    applied = 0
    try:
        await asyncio.to_thread(db.drop_collection, shadow_name)
        await asyncio.to_thread(_ensure_indexes, db[shadow_name], p)
        ends = await asyncio.to_thread(replay.start)
        total = sum(ends.values())
        cache: dict[str, Row] = {}
        dirty: dict[str, Row] = {}

        def writer(target: MongoDocuments):
            stored: dict[str, int] = {}  # the version each document has in ``target``

            def flush() -> None:
                conflicts = target.write(dirty, {k: stored.get(k) for k in dirty})
                if conflicts:  # the live runner wrote them meanwhile, from the same events
                    log.info("rebuild %s: %d documents already written by the live runner",
                             p.name, len(conflicts))
                stored.update({k: d["version"] for k, d in dirty.items() if k not in conflicts})
                for key in conflicts:
                    cache.pop(key, None)
                    stored.pop(key, None)
                dirty.clear()
                if len(cache) > REBUILD_FLUSH_ROWS:
                    cache.clear()
                    stored.clear()

            def apply(messages) -> None:
                nonlocal applied
                decoded, _ = decode_all(messages, p.envelope)
                missing = keys_of(p, decoded) - cache.keys()
                if missing:
                    found = target.read(missing)
                    cache.update(found)
                    stored.update({k: d["version"] for k, d in found.items()})
                folded = fold(p, decoded, cache)
                dirty.update(folded.changed)
                applied += folded.applied
                if len(dirty) >= REBUILD_FLUSH_ROWS:
                    flush()
                progress(sum(replay.positions.values()), total)
            return apply, flush

        apply, flush = writer(MongoDocuments(db[shadow_name]))
        await _replay_until(replay, ends, lambda ms: asyncio.to_thread(apply, ms))
        await asyncio.to_thread(flush)
        await asyncio.to_thread(_swap_collection, db, shadow_name, p.collection)
        # Events the live runner wrote into the old collection after our snapshot are
        # replayed into the new one; version guards make the overlap harmless.
        cache.clear()
        latest = await asyncio.to_thread(replay.end_offsets)
        apply, flush = writer(MongoDocuments(db[p.collection]))
        if not replay.done(latest):
            await _replay_until(replay, latest, lambda ms: asyncio.to_thread(apply, ms))
        await asyncio.to_thread(flush)
        progress(total, total)
        return applied
    finally:
        await asyncio.to_thread(replay.stop)
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
